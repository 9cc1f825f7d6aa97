/** The item list with the API's own filters (GET /items), keyset pages. */
import { Button, Form, Select, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap, type ItemSummary } from '../api/client';
import { ErrorAlert } from '../components/ErrorAlert';
import { LightTag } from '../components/LightTag';
import { formatTime } from '../format';
import { useI18n } from '../i18n/I18n';
import { useLoad } from '../useLoad';

interface Filters { plan?: string; status?: 'active' | 'completed' | 'cancelled'; light?: 'green' | 'yellow' | 'red' | 'none'; supervisionLevel?: 'province' | 'city' | 'county' | 'none'; ownerUnit?: string; overdue?: 'true' | 'false' }

export function ItemListPage() {
  const { t } = useI18n();
  const [filters, setFilters] = useState<Filters>({ status: 'active' });
  const [pages, setPages] = useState<ItemSummary[]>([]);
  const [moreError, setMoreError] = useState<unknown>();
  const plans = useLoad(() => unwrap(api.GET('/plans', { params: { query: { limit: 200 } } })), []);
  const units = useLoad(() => unwrap(api.GET('/units')), []);
  const list = useLoad(async () => {
    setPages([]);
    return unwrap(api.GET('/items', { params: { query: { ...filters, limit: 50 } } }));
  }, [filters]);
  const [cursor, setCursor] = useState<string | null>();
  const next = cursor === undefined ? list.data?.nextCursor : cursor;

  async function loadMore() {
    try {
      const page = await unwrap(api.GET('/items', { params: { query: { ...filters, limit: 50, cursor: next ?? undefined } } }));
      setPages((p) => [...p, ...page.items]);
      setCursor(page.nextCursor);
    } catch (err) {
      setMoreError(err);
    }
  }

  const opt = (prefix: string, values: string[]) => values.map((v) => ({ value: v, label: t(`${prefix}.${v}` as never) }));
  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>{t('items')}</Typography.Title>
      <Form layout="inline" initialValues={filters} onFinish={(v: Filters) => { setCursor(undefined); setFilters(v); }} style={{ rowGap: 8 }}>
        <Form.Item name="plan" label={t('plan')}>
          <Select allowClear style={{ width: 180 }} options={(plans.data?.plans ?? []).map((p) => ({ value: p.id, label: p.title }))} />
        </Form.Item>
        <Form.Item name="status" label={t('status')}>
          <Select allowClear style={{ width: 120 }} options={opt('status', ['active', 'completed', 'cancelled'])} />
        </Form.Item>
        <Form.Item name="light" label={t('lightLabel')}>
          <Select allowClear style={{ width: 100 }} options={opt('light', ['red', 'yellow', 'green', 'none'])} />
        </Form.Item>
        <Form.Item name="supervisionLevel" label={t('supervisionLevel')}>
          <Select allowClear style={{ width: 100 }} options={opt('level', ['province', 'city', 'county', 'none'])} />
        </Form.Item>
        <Form.Item name="ownerUnit" label={t('owner')}>
          <Select allowClear showSearch optionFilterProp="label" style={{ width: 180 }}
            options={(units.data?.units ?? []).map((u) => ({ value: u.code, label: u.name }))} />
        </Form.Item>
        <Form.Item name="overdue" label={t('overdue')}>
          <Select allowClear style={{ width: 90 }} options={[{ value: 'true', label: '✓' }, { value: 'false', label: '✗' }]} />
        </Form.Item>
        <Button type="primary" htmlType="submit">{t('filter')}</Button>
      </Form>
      <ErrorAlert error={list.error ?? moreError} />
      <Table<ItemSummary> rowKey="id" size="small" loading={list.loading} pagination={false} scroll={{ x: true }}
        dataSource={[...(list.data?.items ?? []), ...pages]}
        columns={[
          { title: t('title'), render: (_, i) => <Link to={`/items/${encodeURIComponent(i.id)}`}>{i.title}</Link> },
          { title: t('status'), render: (_, i) => <Space size={4}><LightTag light={i.light} />{t(`status.${i.status}`)}</Space> },
          { title: t('ownerUnits'), render: (_, i) => i.ownerUnitNames.join('、') },
          { title: t('openTasks'), dataIndex: 'openTasks' },
          { title: t('overdue'), dataIndex: 'overdueTasks' },
          { title: t('nextDeadline'), render: (_, i) => formatTime(i.nextDeadline) },
          { title: t('leader'), dataIndex: 'leaderName' },
        ]} />
      {next && <Button onClick={loadMore}>{t('more')}</Button>}
    </Space>
  );
}
