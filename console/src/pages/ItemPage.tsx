/**
 * An item: its problems and tasks (owners, deadlines, lights), a timeline of
 * every warning, rung, dispatch, review and action, and the audit. Leaders may
 * cancel it; task decisions are on each task's page.
 */
import { Button, Card, Descriptions, Input, Modal, Space, Table, Tabs, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, idempotencyKey, unwrap, type TaskView } from '../api/client';
import { ApiError } from '../api/problem';
import { useSession } from '../auth/SessionContext';
import { can } from '../auth/session';
import { ErrorAlert } from '../components/ErrorAlert';
import { LightTag } from '../components/LightTag';
import { formatTime } from '../format';
import { actionWord } from '../i18n/actions';
import { useI18n } from '../i18n/I18n';
import { useLoad } from '../useLoad';
import { buildTimeline } from './timeline';

export function ItemPage() {
  const { id = '' } = useParams();
  const { t, lang } = useI18n();
  const { session } = useSession();
  const path = { params: { path: { id } } };
  const roleWord = (role: string) => (['leader', 'owner', 'supervisor', 'admin'].includes(role) ? t(`role.${role}` as 'role.leader') : role);
  const [minVersion, setMinVersion] = useState<number>();
  const item = useLoad(() => unwrap(api.GET('/items/{id}', { params: { path: { id }, query: minVersion ? { minVersion } : {} } })), [id, minVersion]);
  const records = useLoad(async () => {
    const reviews = session?.role === 'owner' ? Promise.resolve(undefined) : unwrap(api.GET('/items/{id}/reviews', path));
    const [audit, escalations, dispatches, notifications, reviewList] = await Promise.all([
      unwrap(api.GET('/items/{id}/audit', path)), unwrap(api.GET('/items/{id}/escalations', path)),
      unwrap(api.GET('/items/{id}/dispatches', path)), unwrap(api.GET('/items/{id}/notifications', path)), reviews,
    ]);
    return { audit, timeline: buildTimeline({ audit, escalations, dispatches, notifications, reviews: reviewList }, (a) => actionWord(a, lang), roleWord) };
  }, [id, lang]);
  const [cancelOpen, setCancelOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [cancelError, setCancelError] = useState<unknown>();

  if (item.error instanceof ApiError && item.error.status === 404) return <ErrorAlert error={new Error(t('notFound'))} />;
  if (!item.data) return <><ErrorAlert error={item.error} /><Card loading /></>;
  const it = item.data;
  const decide = session && can.decide(session) && it.status === 'active';

  async function cancelItem() {
    try {
      const result = await unwrap(api.POST('/items/{id}/cancel', { params: { path: { id }, header: { 'Idempotency-Key': idempotencyKey() } }, body: { reason } }));
      setCancelOpen(false);
      setMinVersion(result.version);
      await records.reload();
    } catch (err) {
      setCancelError(err);
    }
  }

  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>
          {it.title} <LightTag light={it.figures.light} /> <Tag>{t(`status.${it.status}`)}</Tag>
        </Typography.Title>
        {decide && <Button danger onClick={() => setCancelOpen(true)}>{t('cancelItem')}</Button>}
      </Space>
      <Descriptions size="small" bordered column={{ xs: 1, sm: 2, lg: 3 }} items={[
        { key: 'id', label: t('itemId'), children: it.id },
        { key: 'plan', label: t('plan'), children: it.planId ?? '—' },
        { key: 'leader', label: t('leader'), children: it.leader.name },
        { key: 'level', label: t('supervisionLevel'), children: t(`level.${it.supervisionLevel}`) },
        { key: 'source', label: t('source'), children: it.source ?? '—' },
        { key: 'next', label: t('nextDeadline'), children: formatTime(it.figures.nextDeadline) },
      ]} />
      <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('problems')}</h2>}>
        <Table size="small" rowKey="id" pagination={false} dataSource={it.problems} scroll={{ x: 520 }} columns={[
          { title: t('problemId'), dataIndex: 'id', width: 90 },
          { title: t('description'), dataIndex: 'description' },
          { title: t('severity'), render: (_, p) => t(`severity.${p.severity}`) },
          { title: t('status'), render: (_, p) => (p.status === 'open' ? '○' : `✓ ${formatTime(p.closedAt)}`) },
        ]} />
      </Card>
      <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('tasks')}</h2>}>
        <Table<TaskView> size="small" rowKey="id" pagination={false} dataSource={it.tasks} scroll={{ x: 760 }} columns={[
          { title: t('taskId'), render: (_, task) => <Link to={`/items/${encodeURIComponent(it.id)}/tasks/${encodeURIComponent(task.id)}`}>{task.id}</Link> },
          { title: t('description'), dataIndex: 'description' },
          { title: t('owner'), render: (_, task) => `${task.ownerUnitName} · ${task.ownerPerson}` },
          { title: t('status'), render: (_, task) => <Space size={4}><LightTag light={task.light} />{t(`task.${task.status}`)}</Space> },
          { title: t('percent'), render: (_, task) => `${task.percent}%` },
          { title: t('deadline'), render: (_, task) => formatTime(task.deadline.dueAt) },
          { title: t('actions'), render: (_, task) => <Link to={`/items/${encodeURIComponent(it.id)}/tasks/${encodeURIComponent(task.id)}`}>{t('handle')}</Link> },
        ]} />
      </Card>
      <ErrorAlert error={records.error} />
      <Card size="small">
        <Tabs items={[
          { key: 'timeline', label: t('timeline'), children: (
            <Timeline items={(records.data?.timeline ?? []).map((e) => ({
              key: e.key,
              color: e.kind === 'escalation' ? 'red' : e.kind === 'warning' ? 'orange' : e.kind === 'action' ? 'blue' : 'gray',
              children: <span><strong>{t(`event.${e.kind}`)}</strong> {formatTime(e.at)}{e.taskId ? ` · ${e.taskId}` : ''} · {e.text}</span>,
            }))} />
          ) },
          { key: 'audit', label: t('audit'), children: (
            <Table size="small" rowKey="seq" pagination={{ pageSize: 20, hideOnSinglePage: true }} scroll={{ x: true }}
              dataSource={records.data?.audit.events ?? []} columns={[
                { title: t('time'), render: (_, a) => formatTime(a.at) },
                { title: t('actor'), render: (_, a) => `${a.actor.name}（${roleWord(a.actor.role)}）` },
                { title: t('action'), render: (_, a) => actionWord(a.action, lang) },
                { title: t('taskId'), render: (_, a) => a.taskId ?? '—' },
              ]} />
          ) },
        ]} />
      </Card>
      <Modal open={cancelOpen} title={t('cancelItem')} onOk={cancelItem} onCancel={() => setCancelOpen(false)} okText={t('confirm')} cancelText={t('cancel')}>
        <ErrorAlert error={cancelError} />
        <label htmlFor="cancel-reason">{t('reason')}</label>
        <Input.TextArea id="cancel-reason" value={reason} onChange={(e) => setReason(e.target.value)} rows={3} />
      </Modal>
    </Space>
  );
}
