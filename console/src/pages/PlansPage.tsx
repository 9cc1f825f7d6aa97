/**
 * Plans (整改计划): the list, drawing up a plan, and a whole plan at once from
 * the Excel ledger: download the template, upload the filled file, follow the
 * import job. Every mistake of a refused file is listed by row and column.
 */
import { Button, Card, Form, Input, Progress, Select, Space, Table, Typography, Upload, type UploadFile } from 'antd';
import { useEffect, useState } from 'react';
import { api, unwrap } from '../api/client';
import { download, importLedger, type LedgerImport } from '../api/ledger';
import { fieldErrorsOf } from '../api/field-errors';
import { useSession } from '../auth/SessionContext';
import { can } from '../auth/session';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatTime } from '../format';
import { useI18n } from '../i18n/I18n';
import { useLoad } from '../useLoad';

interface PlanForm { id?: string; title: string; source?: string; leaderIds?: string }

export function PlansPage() {
  const { t } = useI18n();
  const { session } = useSession();
  const plans = useLoad(() => unwrap(api.GET('/plans', { params: { query: { limit: 200 } } })), []);
  const [form] = Form.useForm<PlanForm>();
  const [createError, setCreateError] = useState<unknown>();
  const [planId, setPlanId] = useState<string>();
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [job, setJob] = useState<LedgerImport>();
  const [importError, setImportError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const write = !!session && can.create(session);

  // follow the job until it ends
  useEffect(() => {
    if (!job || job.status === 'succeeded' || job.status === 'failed') return;
    const timer = setTimeout(async () => {
      try {
        setJob(await unwrap(api.GET('/plans/{id}/ledger-imports/{importId}', { params: { path: { id: job.planId, importId: job.id } } })));
      } catch (err) {
        setImportError(err);
      }
    }, 1000);
    return () => clearTimeout(timer);
  }, [job]);

  async function createPlan(v: PlanForm) {
    setCreateError(undefined);
    try {
      const leaderIds = (v.leaderIds ?? '').split(/[\s,，、]+/).filter(Boolean);
      await unwrap(api.POST('/plans', { body: { id: v.id || undefined, title: v.title, source: v.source || undefined, categories: [], ...(leaderIds.length ? { leaderIds } : {}) } }));
      form.resetFields();
      await plans.reload();
    } catch (err) {
      setCreateError(err);
      form.setFields(fieldErrorsOf(err) as never);
    }
  }

  async function runImport() {
    const file = files[0]?.originFileObj;
    if (!planId || !file) return;
    setBusy(true);
    setImportError(undefined);
    try {
      setJob((await importLedger(planId, file as File)).import);
    } catch (err) {
      setImportError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>{t('plans')}</Typography.Title>
      <ErrorAlert error={plans.error} />
      <Table size="small" rowKey="id" loading={plans.loading} pagination={false} scroll={{ x: 560 }} dataSource={plans.data?.plans ?? []} columns={[
        { title: t('planId'), dataIndex: 'id' },
        { title: t('title'), dataIndex: 'title' },
        { title: t('leader'), render: (_, p) => p.leaderIds.join('、') },
        { title: t('time'), render: (_, p) => formatTime(p.createdAt) },
        { title: t('ledger'), render: (_, p) => <Button size="small" onClick={() => void download(`/plans/${encodeURIComponent(p.id)}/ledger`, `${p.id}-台账.xlsx`).catch(setImportError)}>{t('downloadLedger')}</Button> },
      ]} />
      {write && (
        <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('newPlan')}</h2>} data-testid="new-plan">
          <ErrorAlert error={createError} onClose={() => setCreateError(undefined)} />
          <Form<PlanForm> form={form} layout="vertical" onFinish={createPlan}>
            <Space wrap align="start">
              <Form.Item name="id" label={t('planId')}><Input style={{ width: 200 }} /></Form.Item>
              <Form.Item name="title" label={t('title')} rules={[{ required: true, message: t('required') }]}><Input style={{ width: 320 }} /></Form.Item>
              <Form.Item name="source" label={t('source')}><Input style={{ width: 240 }} /></Form.Item>
              <Form.Item name="leaderIds" label={t('planLeaders')}><Input style={{ width: 240 }} /></Form.Item>
            </Space>
            <Button type="primary" htmlType="submit">{t('create')}</Button>
          </Form>
        </Card>
      )}
      {write && (
        <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('ledgerImport')}</h2>} data-testid="ledger-import">
          <ErrorAlert error={importError} onClose={() => setImportError(undefined)} />
          <Space wrap align="end">
            <Button onClick={() => void download('/ledger/template', '整改台账导入模板.xlsx').catch(setImportError)}>{t('template')}</Button>
            <Select aria-label={t('plan')} placeholder={t('plan')} style={{ width: 240 }} value={planId} onChange={setPlanId}
              options={(plans.data?.plans ?? []).map((p) => ({ value: p.id, label: p.title }))} />
            <Upload accept=".xlsx" maxCount={1} beforeUpload={() => false} fileList={files} onChange={(e) => setFiles(e.fileList)}>
              <Button>{t('chooseFile')}</Button>
            </Upload>
            <Button type="primary" loading={busy} disabled={!planId || !files.length} onClick={runImport}>{t('import')}</Button>
          </Space>
          {job && (
            <div style={{ marginTop: 12 }} data-testid="import-job">
              <Progress percent={Math.round(job.progress * 100)} status={job.status === 'failed' ? 'exception' : job.status === 'succeeded' ? 'success' : 'active'} />
              <div>{t(`job.${job.status}`)} · {job.items.created}/{job.items.total} · {t('failed')} {job.items.failed}</div>
            </div>
          )}
        </Card>
      )}
    </Space>
  );
}
