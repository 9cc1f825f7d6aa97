/**
 * Leaders, the supervision office and supervisors: items by light, overdue
 * tasks, this week's escalations, the unit ranking and open problems by unit
 * over time, for all items or one plan.
 */
import { Card, Col, Empty, Row, Select, Space, Statistic, Table, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { ErrorAlert } from '../components/ErrorAlert';
import { LightTag } from '../components/LightTag';
import { TrendChart } from '../components/TrendChart';
import { formatTime } from '../format';
import { useI18n } from '../i18n/I18n';
import { useLoad } from '../useLoad';
import { activeItems, countByLight, openProblemTrend, startOfWeek } from './dashboard-data';

export function DashboardPage() {
  const { t } = useI18n();
  const [plan, setPlan] = useState<string>();
  const plans = useLoad(() => unwrap(api.GET('/plans', { params: { query: { limit: 200 } } })), []);
  const data = useLoad(async () => {
    const [items, escalations, ranking, report] = await Promise.all([
      activeItems(plan),
      unwrap(api.GET('/escalations', { params: { query: { since: startOfWeek().toISOString(), limit: 200 } } })),
      unwrap(api.GET('/units/ranking', { params: { query: { planId: plan } } })),
      plan ? unwrap(api.GET('/plans/{id}', { params: { path: { id: plan } } })) : Promise.resolve(undefined),
    ]);
    const weekEscalations = plan ? escalations.escalations.filter((e) => e.planId === plan) : escalations.escalations;
    const trend = report ? openProblemTrend(report, new Map(items.map((i) => [i.id, i.createdAt]))) : undefined;
    return { items, escalations: weekEscalations, ranking: ranking.units, trend };
  }, [plan]);

  const lights = data.data ? countByLight(data.data.items) : undefined;
  const overdue = data.data?.items.reduce((n, i) => n + i.overdueTasks, 0) ?? 0;
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>{t('dashboard')}</Typography.Title>
        <Select allowClear placeholder={t('plan')} aria-label={t('plan')} style={{ minWidth: 220 }} value={plan} onChange={setPlan}
          options={(plans.data?.plans ?? []).map((p) => ({ value: p.id, label: p.title }))} />
      </Space>
      <ErrorAlert error={data.error ?? plans.error} />
      <Row gutter={[12, 12]}>
        {(['red', 'yellow', 'green'] as const).map((light) => (
          <Col xs={8} md={4} key={light}>
            <Card size="small" data-testid={`lights-${light}`}>
              <Statistic title={<LightTag light={light} />} value={lights?.[light] ?? 0} loading={data.loading} />
            </Card>
          </Col>
        ))}
        <Col xs={12} md={6}>
          <Card size="small" data-testid="overdue-tasks"><Statistic title={t('overdueTasks')} value={overdue} loading={data.loading} /></Card>
        </Col>
        <Col xs={12} md={6}>
          <Card size="small" data-testid="week-escalations">
            <Statistic title={t('escalationsThisWeek')} value={data.data?.escalations.length ?? 0} loading={data.loading} />
          </Card>
        </Col>
      </Row>
      <Row gutter={[12, 12]}>
        <Col xs={24} lg={12}>
          <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('ranking')}</h2>}>
            <Table size="small" rowKey="ownerUnit" pagination={false} scroll={{ x: 520 }} loading={data.loading}
              dataSource={data.data?.ranking ?? []} data-testid="ranking"
              columns={[
                { title: t('rank'), dataIndex: 'rank', width: 56 },
                { title: t('unit'), dataIndex: 'unitName' },
                { title: t('completionRate'), dataIndex: 'completionRate', render: (v: number) => `${Math.round(v * 100)}%` },
                { title: t('accepted'), render: (_, r) => `${r.acceptedTasks}/${r.totalTasks}` },
                { title: t('overdue'), dataIndex: 'overdueTasks' },
                { title: t('escalations'), dataIndex: 'escalations' },
                { title: t('reworks'), dataIndex: 'reworks' },
              ]} />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('attention')}</h2>}>
            <Table size="small" rowKey="id" pagination={{ pageSize: 5, hideOnSinglePage: true }} scroll={{ x: true }} loading={data.loading}
              dataSource={(data.data?.items ?? []).filter((i) => i.light !== 'green' && i.light !== 'none')}
              columns={[
                { title: t('title'), render: (_, i) => <Link to={`/items/${encodeURIComponent(i.id)}`}>{i.title}</Link> },
                { title: t('status'), render: (_, i) => <LightTag light={i.light} /> },
                { title: t('overdue'), dataIndex: 'overdueTasks' },
                { title: t('nextDeadline'), render: (_, i) => formatTime(i.nextDeadline) },
              ]} />
          </Card>
        </Col>
        <Col xs={24}>
          <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('openProblemsTrend')}</h2>}>
            {data.data?.trend?.series.length
              ? <TrendChart at={data.data.trend.at} series={data.data.trend.series} title={t('openProblemsTrend')}
                  names={new Map(data.data.ranking.map((r) => [r.ownerUnit, r.unitName]))} />
              : <Empty description={plan ? t('noData') : t('choosePlan')} />}
          </Card>
        </Col>
      </Row>
    </Space>
  );
}
