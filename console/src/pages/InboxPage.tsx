/**
 * Owners: their unit's open tasks, nearest deadline first, with lights.
 * Cards, not a wide table, so it reads on a phone.
 */
import { Card, Empty, List, Progress, Space, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { useSession } from '../auth/SessionContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { LightTag } from '../components/LightTag';
import { daysUntil, formatTime } from '../format';
import { useI18n } from '../i18n/I18n';
import { useLoad } from '../useLoad';

export function InboxPage() {
  const { t } = useI18n();
  const { session } = useSession();
  const unit = session?.unit;
  const inbox = useLoad(async () => (unit ? unwrap(api.GET('/units/{unit}/tasks', { params: { path: { unit } } })) : undefined), [unit]);
  if (!unit) return <Empty description={t('myUnitTasks')} />;
  const tasks = [...(inbox.data?.tasks ?? [])].sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>
        {t('inbox')} · {inbox.data?.unitName ?? unit}
      </Typography.Title>
      <ErrorAlert error={inbox.error} />
      <List loading={inbox.loading} dataSource={tasks} locale={{ emptyText: t('noData') }} data-testid="inbox"
        renderItem={(task) => {
          const days = daysUntil(task.dueAt);
          return (
            <List.Item style={{ padding: '6px 0' }}>
              <Card size="small" style={{ width: '100%' }} data-testid={`inbox-${task.itemId}-${task.taskId}`}
                title={<Link to={`/items/${encodeURIComponent(task.itemId)}/tasks/${encodeURIComponent(task.taskId)}`}>{task.itemTitle} · {task.taskId}</Link>}
                extra={<LightTag light={task.light} />}>
                <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ marginBottom: 8 }}>{task.description}</Typography.Paragraph>
                <Space wrap size={8}>
                  <Tag>{t(`task.${task.status}`)}</Tag>
                  <span>{t('deadline')}: {formatTime(task.dueAt)}</span>
                  <span style={{ color: days < 0 ? '#a8071a' : undefined }}>
                    {days < 0 ? `${t('overdueBy')} ${-days} ${t('days')}` : `${t('dueIn')} ${days} ${t('days')}`}
                  </span>
                </Space>
                <Progress percent={task.percent} size="small" aria-label={t('percent')} />
              </Card>
            </List.Item>
          );
        }} />
    </Space>
  );
}
