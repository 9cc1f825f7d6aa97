/**
 * One task: what it is, where it stands, its last report and submission with
 * their evidence, and the actions the signed-in role may take on it now —
 * owners report, submit and ask for more time; leaders accept, send back,
 * decide extensions, reassign, cancel, pause and resume. Supervisors get no
 * control at all. Another unit's task answers like a missing one.
 */
import { Button, Card, Col, DatePicker, Descriptions, Form, Input, InputNumber, Row, Select, Space, Tag, Typography, Upload, type UploadFile } from 'antd';
import type { Dayjs } from 'dayjs';
import { useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, idempotencyKey, unwrap, type TaskView } from '../api/client';
import { evidenceId, listEvidence, openEvidence, uploadEvidence } from '../api/evidence';
import { ApiError } from '../api/problem';
import { useSession } from '../auth/SessionContext';
import { can } from '../auth/session';
import { ActionForm } from '../components/ActionForm';
import { ErrorAlert } from '../components/ErrorAlert';
import { LightTag } from '../components/LightTag';
import { formatTime } from '../format';
import { useI18n } from '../i18n/I18n';
import { useLoad } from '../useLoad';

const OPEN = new Set(['assigned', 'inProgress']);

export function TaskPage() {
  const { id = '', taskId = '' } = useParams();
  const { t } = useI18n();
  const { session } = useSession();
  // after a command, read at least the version it produced (the read side may trail it)
  const [minVersion, setMinVersion] = useState<number>();
  const data = useLoad(async () => {
    const [item, files] = await Promise.all([
      unwrap(api.GET('/items/{id}', { params: { path: { id }, query: minVersion ? { minVersion } : {} } })),
      listEvidence(id, taskId),
    ]);
    return { item, files };
  }, [id, taskId, minVersion]);
  const uploaded = useRef(new Map<string, string>());
  const units = useLoad(async () => (session && can.decide(session) ? unwrap(api.GET('/units')) : undefined), [session?.role]);

  const task: TaskView | undefined = data.data?.item.tasks.find((x) => x.id === taskId);
  const missing = (data.error instanceof ApiError && data.error.status === 404) || (data.data && !task);
  if (missing) return <ErrorAlert error={new Error(t('notFound'))} />;
  if (!data.data || !task || !session) return <><ErrorAlert error={data.error} /><Card loading /></>;
  const item = data.data.item;
  const nameOf = new Map(data.data.files.map((f) => [f.ref, f.name]));
  const path = { path: { id, taskId }, header: { 'Idempotency-Key': idempotencyKey() } };
  const done = (version: number) => { if (version === minVersion) void data.reload(); else setMinVersion(version); };

  /** Stores each chosen file once (a retry after a refusal reuses what is stored) and answers their refs. */
  async function refsOf(files: UploadFile[] | undefined, typed: string | undefined): Promise<string[]> {
    const refs: string[] = [];
    for (const f of files ?? []) {
      let ref = uploaded.current.get(f.uid);
      if (!ref) {
        ref = (await uploadEvidence(id, taskId, f.originFileObj as File)).ref;
        uploaded.current.set(f.uid, ref);
      }
      refs.push(ref);
    }
    return [...refs, ...(typed ?? '').split('\n').map((s) => s.trim()).filter(Boolean)];
  }
  const fileField = (
    <Form.Item name="files" label={t('evidence')} valuePropName="fileList" getValueFromEvent={(e: { fileList: UploadFile[] }) => e.fileList}>
      <Upload beforeUpload={() => false} multiple><Button>{t('upload')}</Button></Upload>
    </Form.Item>
  );
  const evidenceList = (refs: string[]) => (
    <Space wrap size={4}>
      {refs.map((ref) => {
        const fileId = evidenceId(ref);
        return fileId
          ? <a key={ref} href={`/evidence/${encodeURIComponent(fileId)}`} onClick={(e) => { e.preventDefault(); void openEvidence(fileId); }}>{nameOf.get(ref) ?? ref}</a>
          : <Tag key={ref}>{ref}</Tag>;
      })}
    </Space>
  );

  const owner = can.report(session) && item.status === 'active';
  const leader = can.decide(session) && item.status === 'active';
  const open = OPEN.has(task.status);
  type Deadline = { kind: 'workingDays' | 'instant'; days?: number; date?: Dayjs };
  const deadlineOf = (d: Deadline) => (d.kind === 'instant'
    ? { kind: 'instant' as const, at: `${d.date?.format('YYYY-MM-DD') ?? ''}T23:59:59+08:00` }
    : { kind: 'workingDays' as const, days: d.days ?? 0 });

  return (
    <Space direction="vertical" size={12} style={{ width: '100%' }}>
      <Link to={session.role === 'owner' ? '/inbox' : `/items/${encodeURIComponent(id)}`}>← {t('back')}</Link>
      <Typography.Title level={1} style={{ fontSize: 20, margin: 0 }}>
        {item.title} · {task.id} <LightTag light={task.light} /> <Tag data-testid="task-status">{t(`task.${task.status}`)}</Tag>
      </Typography.Title>
      <Descriptions size="small" bordered column={{ xs: 1, sm: 2 }} items={[
        { key: 'd', label: t('description'), children: task.description, span: 2 },
        ...(task.measures ? [{ key: 'm', label: t('measures'), children: task.measures, span: 2 }] : []),
        { key: 'o', label: t('owner'), children: `${task.ownerUnitName} · ${task.ownerPerson}` },
        { key: 'dl', label: t('deadline'), children: formatTime(task.deadline.dueAt) },
        { key: 'p', label: t('percent'), children: `${task.percent}%` },
        ...(task.pendingExtension ? [{ key: 'x', label: t('pendingExtension'), children: formatTime(task.pendingExtension.proposedDueAt) }] : []),
        ...(task.lastReport ? [{ key: 'r', label: t('lastReport'), span: 2, children: (
          <div>{formatTime(task.lastReport.at)} · {task.lastReport.percent}% · {task.lastReport.text}<div>{evidenceList(task.lastReport.evidence)}</div></div>
        ) }] : []),
        ...(task.submission ? [{ key: 's', label: t('submit'), span: 2, children: (
          <div>{formatTime(task.submission.at)}{task.submission.note ? ` · ${task.submission.note}` : ''}<div>{evidenceList(task.submission.evidence)}</div></div>
        ) }] : []),
      ]} />
      <Row gutter={[12, 12]}>
        {owner && open && (
          <Col xs={24} md={12}>
            <ActionForm<{ percent: number; text: string; files?: UploadFile[] }> title={t('reportProgress')} submitLabel={t('reportProgress')} testId="report-progress"
              onSubmit={async (v) => unwrap(api.POST('/items/{id}/tasks/{taskId}/progress', { params: path, body: { percent: v.percent ?? task.percent, text: v.text, evidence: await refsOf(v.files, undefined) } }))}
              onDone={done}>
              {/* a number field, not antd's Slider: its handle has no accessible name (axe: aria-input-field-name), and it is easier on a phone */}
              <Form.Item name="percent" label={t('percent')} initialValue={task.percent}><InputNumber min={0} max={100} addonAfter="%" style={{ width: 140 }} /></Form.Item>
              <Form.Item name="text" label={t('progressText')} rules={[{ required: true, message: t('required') }]}><Input.TextArea rows={3} /></Form.Item>
              {fileField}
            </ActionForm>
          </Col>
        )}
        {owner && open && (
          <Col xs={24} md={12}>
            <ActionForm<{ note?: string; files?: UploadFile[] }> title={t('submit')} submitLabel={t('submit')} testId="submit-task"
              onSubmit={async (v) => unwrap(api.POST('/items/{id}/tasks/{taskId}/submit', { params: path, body: { note: v.note || undefined, evidence: await refsOf(v.files, undefined) } }))}
              onDone={done}>
              <Form.Item name="note" label={t('note')}><Input.TextArea rows={2} /></Form.Item>
              {fileField}
            </ActionForm>
          </Col>
        )}
        {owner && open && !task.pendingExtension && (
          <Col xs={24} md={12}>
            <ActionForm<Deadline & { reason: string }> title={t('requestExtension')} submitLabel={t('requestExtension')} testId="request-extension"
              onSubmit={(v) => unwrap(api.POST('/items/{id}/tasks/{taskId}/extension-requests', { params: path, body: { newDeadline: deadlineOf(v), reason: v.reason } }))}
              onDone={done}>
              <Form.Item name="kind" label={t('deadlineKind')} initialValue="workingDays">
                <Select options={[{ value: 'workingDays', label: t('byWorkingDays') }, { value: 'instant', label: t('byDate') }]} />
              </Form.Item>
              <Form.Item noStyle shouldUpdate>
                {({ getFieldValue }) => getFieldValue('kind') === 'instant'
                  ? <Form.Item name="date" label={t('deadlineDate')} rules={[{ required: true, message: t('required') }]}><DatePicker /></Form.Item>
                  : <Form.Item name="days" label={t('workingDaysCount')} rules={[{ required: true, message: t('required') }]}><InputNumber min={1} max={3650} /></Form.Item>}
              </Form.Item>
              <Form.Item name="reason" label={t('reason')} rules={[{ required: true, message: t('required') }]}><Input.TextArea rows={2} /></Form.Item>
            </ActionForm>
          </Col>
        )}
        {leader && task.status === 'submitted' && (
          <>
            <Col xs={24} md={12}>
              <ActionForm<{ note?: string }> title={t('accept')} submitLabel={t('accept')} testId="accept"
                onSubmit={(v) => unwrap(api.POST('/items/{id}/tasks/{taskId}/accept', { params: path, body: { note: v.note || undefined } }))} onDone={done}>
                <Form.Item name="note" label={t('note')}><Input.TextArea rows={2} /></Form.Item>
              </ActionForm>
            </Col>
            <Col xs={24} md={12}>
              <ActionForm<{ reason: string }> title={t('sendBack')} submitLabel={t('sendBack')} danger testId="send-back"
                onSubmit={(v) => unwrap(api.POST('/items/{id}/tasks/{taskId}/send-back', { params: path, body: { reason: v.reason } }))} onDone={done}>
                <Form.Item name="reason" label={t('reason')} rules={[{ required: true, message: t('required') }]}><Input.TextArea rows={2} /></Form.Item>
              </ActionForm>
            </Col>
          </>
        )}
        {leader && task.pendingExtension && (
          <Col xs={24} md={12}>
            <ActionForm<{ approve: boolean; note?: string }> title={t('pendingExtension')} submitLabel={t('confirm')} testId="extension-decision"
              onSubmit={(v) => unwrap(api.POST('/items/{id}/tasks/{taskId}/extension-decision', { params: path, body: { approve: v.approve, note: v.note || undefined } }))} onDone={done}>
              <Form.Item name="approve" label={t('pendingExtension')} initialValue>
                <Select options={[{ value: true, label: t('approveExtension') }, { value: false, label: t('denyExtension') }]} />
              </Form.Item>
              <Form.Item name="note" label={t('note')}><Input.TextArea rows={2} /></Form.Item>
            </ActionForm>
          </Col>
        )}
        {leader && (open || task.status === 'submitted') && (
          <>
            <Col xs={24} md={12}>
              <ActionForm<{ ownerUnit: string; ownerPerson: string }> title={t('reassign')} submitLabel={t('reassign')} testId="reassign"
                onSubmit={(v) => unwrap(api.POST('/items/{id}/tasks/{taskId}/reassign', { params: path, body: { ownerUnit: v.ownerUnit, ownerPerson: v.ownerPerson } }))} onDone={done}>
                <Form.Item name="ownerUnit" label={t('owner')} rules={[{ required: true, message: t('required') }]}>
                  <Select showSearch optionFilterProp="label" options={(units.data?.units ?? []).filter((u) => u.active).map((u) => ({ value: u.code, label: `${u.name}（${u.code}）` }))} />
                </Form.Item>
                <Form.Item name="ownerPerson" label={t('ownerPerson')} rules={[{ required: true, message: t('required') }]}><Input /></Form.Item>
              </ActionForm>
            </Col>
            <Col xs={24} md={12}>
              <ActionForm<{ reason: string }> title={task.pausedAt ? t('resume') : t('pause')} submitLabel={task.pausedAt ? t('resume') : t('pause')} testId="pause"
                onSubmit={(v) => (task.pausedAt
                  ? unwrap(api.POST('/items/{id}/tasks/{taskId}/resume', { params: path, body: { note: v.reason || undefined } }))
                  : unwrap(api.POST('/items/{id}/tasks/{taskId}/pause', { params: path, body: { reason: v.reason } })))} onDone={done}>
                <Form.Item name="reason" label={task.pausedAt ? t('note') : t('reason')} rules={task.pausedAt ? [] : [{ required: true, message: t('required') }]}>
                  <Input.TextArea rows={2} />
                </Form.Item>
              </ActionForm>
            </Col>
            <Col xs={24} md={12}>
              <ActionForm<{ reason: string }> title={t('cancelTask')} submitLabel={t('cancelTask')} danger testId="cancel-task"
                onSubmit={(v) => unwrap(api.POST('/items/{id}/tasks/{taskId}/cancel', { params: path, body: { reason: v.reason } }))} onDone={done}>
                <Form.Item name="reason" label={t('reason')} rules={[{ required: true, message: t('required') }]}><Input.TextArea rows={2} /></Form.Item>
              </ActionForm>
            </Col>
          </>
        )}
      </Row>
    </Space>
  );
}
