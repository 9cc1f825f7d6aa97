/**
 * A leader starts an item: its problems and tasks with owners and deadlines
 * (POST /items). A refusal leaves every value in place and puts each field's
 * message under that field.
 */
import { Button, Card, DatePicker, Form, Input, InputNumber, Select, Space, Typography, message } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, unwrap, type ItemInput } from '../api/client';
import { fieldErrorsOf } from '../api/field-errors';
import { useSession } from '../auth/SessionContext';
import { can } from '../auth/session';
import { ErrorAlert } from '../components/ErrorAlert';
import { useI18n } from '../i18n/I18n';
import { useLoad } from '../useLoad';

interface TaskForm {
  id: string; problemIds: string[]; description: string; measures?: string; ownerUnit: string; ownerPerson: string;
  deadlineKind: 'instant' | 'workingDays'; dueDate?: Dayjs; days?: number;
}
interface ItemForm {
  id?: string; planId?: string; title: string; source?: string; category?: string;
  supervisionLevel: 'province' | 'city' | 'county' | 'none'; leaderId: string; leaderName: string;
  problems: Array<{ id: string; description: string; severity: 'low' | 'medium' | 'high' | 'critical' }>;
  tasks: TaskForm[];
}

const blank = (s?: string) => (s && s.trim() ? s : undefined);

/** The form's values as POST /items takes them: a date means 23:59:59 that day, China time. */
export function toItemInput(v: ItemForm): ItemInput {
  return {
    id: blank(v.id), planId: blank(v.planId), title: v.title, source: blank(v.source), category: blank(v.category),
    supervisionLevel: v.supervisionLevel, leader: { id: v.leaderId, name: v.leaderName },
    problems: v.problems,
    tasks: v.tasks.map((task) => ({
      id: task.id, problemIds: task.problemIds, description: task.description, measures: blank(task.measures),
      ownerUnit: task.ownerUnit, ownerPerson: task.ownerPerson,
      deadline: task.deadlineKind === 'workingDays'
        ? { kind: 'workingDays', days: task.days ?? 0 }
        : { kind: 'instant', at: `${task.dueDate?.format('YYYY-MM-DD') ?? ''}T23:59:59+08:00` },
    })),
  } as ItemInput;
}

export function CreateItemPage() {
  const { t } = useI18n();
  const { session } = useSession();
  const navigate = useNavigate();
  const [form] = Form.useForm<ItemForm>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const plans = useLoad(() => unwrap(api.GET('/plans', { params: { query: { limit: 200 } } })), []);
  const units = useLoad(() => unwrap(api.GET('/units')), []);
  const problems = Form.useWatch('problems', form) ?? [];
  if (!session || !can.create(session)) return <ErrorAlert error={new Error(t('readOnly'))} />;

  async function create(values: ItemForm) {
    setBusy(true);
    setError(undefined);
    try {
      const item = await unwrap(api.POST('/items', { body: toItemInput(values) }));
      void message.success(t('createdOk'));
      navigate(`/items/${encodeURIComponent(item.id)}`);
    } catch (err) {
      setError(err);
      form.setFields(fieldErrorsOf(err) as never);
    } finally {
      setBusy(false);
    }
  }

  const sev = (['low', 'medium', 'high', 'critical'] as const).map((v) => ({ value: v, label: t(`severity.${v}`) }));
  return (
    <Card title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('newItem')}</h1>}>
      <ErrorAlert error={error} onClose={() => setError(undefined)} />
      <Form<ItemForm> form={form} layout="vertical" onFinish={create} scrollToFirstError
        initialValues={{
          supervisionLevel: 'county', leaderId: session.sub, leaderName: session.name,
          problems: [{ id: 'P1', severity: 'medium' }],
          tasks: [{ id: 'T1', problemIds: ['P1'], deadlineKind: 'workingDays', days: 10 }],
        }}>
        <Space wrap align="start">
          <Form.Item name="id" label={t('itemId')}><Input style={{ width: 200 }} /></Form.Item>
          <Form.Item name="planId" label={t('plan')}>
            <Select allowClear style={{ width: 220 }} options={(plans.data?.plans ?? []).map((p) => ({ value: p.id, label: p.title }))} />
          </Form.Item>
          <Form.Item name="supervisionLevel" label={t('supervisionLevel')}>
            <Select style={{ width: 120 }} options={(['province', 'city', 'county', 'none'] as const).map((v) => ({ value: v, label: t(`level.${v}`) }))} />
          </Form.Item>
        </Space>
        <Form.Item name="title" label={t('title')} rules={[{ required: true, message: t('required') }]}><Input /></Form.Item>
        <Space wrap align="start">
          <Form.Item name="source" label={t('source')}><Input style={{ width: 260 }} /></Form.Item>
          <Form.Item name="category" label={t('category')}><Input style={{ width: 200 }} /></Form.Item>
          <Form.Item name="leaderId" label={t('leaderId')} rules={[{ required: true, message: t('required') }]}><Input style={{ width: 160 }} /></Form.Item>
          <Form.Item name="leaderName" label={t('leaderName')} rules={[{ required: true, message: t('required') }]}><Input style={{ width: 160 }} /></Form.Item>
        </Space>

        <Typography.Title level={2} style={{ fontSize: 16 }}>{t('problems')}</Typography.Title>
        <Form.List name="problems">
          {(fields, { add, remove }) => (
            <>
              {fields.map(({ key, name }) => (
                <Space key={key} wrap align="start" style={{ display: 'flex' }}>
                  <Form.Item name={[name, 'id']} label={t('problemId')} rules={[{ required: true, message: t('required') }]}><Input style={{ width: 100 }} /></Form.Item>
                  <Form.Item name={[name, 'description']} label={t('description')} rules={[{ required: true, message: t('required') }]}><Input style={{ width: 320 }} /></Form.Item>
                  <Form.Item name={[name, 'severity']} label={t('severity')}><Select style={{ width: 100 }} options={sev} /></Form.Item>
                  {fields.length > 1 && <Button onClick={() => remove(name)} style={{ marginTop: 30 }}>{t('remove')}</Button>}
                </Space>
              ))}
              <Button onClick={() => add({ id: `P${fields.length + 1}`, severity: 'medium' })}>{t('addProblem')}</Button>
            </>
          )}
        </Form.List>

        <Typography.Title level={2} style={{ fontSize: 16, marginTop: 16 }}>{t('tasks')}</Typography.Title>
        <Form.List name="tasks">
          {(fields, { add, remove }) => (
            <>
              {fields.map(({ key, name }) => (
                <Card key={key} size="small" style={{ marginBottom: 8 }}>
                  <Space wrap align="start">
                    <Form.Item name={[name, 'id']} label={t('taskId')} rules={[{ required: true, message: t('required') }]}><Input style={{ width: 100 }} /></Form.Item>
                    <Form.Item name={[name, 'problemIds']} label={t('problems')} rules={[{ required: true, message: t('required') }]}>
                      <Select mode="multiple" style={{ width: 160 }} options={problems.filter((p) => p?.id).map((p) => ({ value: p.id, label: p.id }))} />
                    </Form.Item>
                    <Form.Item name={[name, 'ownerUnit']} label={t('owner')} rules={[{ required: true, message: t('required') }]}>
                      <Select showSearch optionFilterProp="label" style={{ width: 200 }}
                        options={(units.data?.units ?? []).filter((u) => u.active).map((u) => ({ value: u.code, label: `${u.name}（${u.code}）` }))} />
                    </Form.Item>
                    <Form.Item name={[name, 'ownerPerson']} label={t('ownerPerson')} rules={[{ required: true, message: t('required') }]}><Input style={{ width: 140 }} /></Form.Item>
                  </Space>
                  <Form.Item name={[name, 'description']} label={t('description')} rules={[{ required: true, message: t('required') }]}><Input.TextArea rows={2} /></Form.Item>
                  <Form.Item name={[name, 'measures']} label={t('measures')}><Input.TextArea rows={2} /></Form.Item>
                  <Space wrap align="start">
                    <Form.Item name={[name, 'deadlineKind']} label={t('deadlineKind')}>
                      <Select style={{ width: 140 }} options={[{ value: 'workingDays', label: t('byWorkingDays') }, { value: 'instant', label: t('byDate') }]} />
                    </Form.Item>
                    <Form.Item noStyle shouldUpdate>
                      {() => form.getFieldValue(['tasks', name, 'deadlineKind']) === 'instant'
                        ? <Form.Item name={[name, 'dueDate']} label={t('deadlineDate')} rules={[{ required: true, message: t('required') }]}><DatePicker /></Form.Item>
                        : <Form.Item name={[name, 'days']} label={t('workingDaysCount')} rules={[{ required: true, message: t('required') }]}><InputNumber min={1} max={3650} /></Form.Item>}
                    </Form.Item>
                    {fields.length > 1 && <Button onClick={() => remove(name)} style={{ marginTop: 30 }}>{t('remove')}</Button>}
                  </Space>
                </Card>
              ))}
              <Button onClick={() => add({ id: `T${fields.length + 1}`, problemIds: [], deadlineKind: 'workingDays', days: 10 })}>{t('addTask')}</Button>
            </>
          )}
        </Form.List>
        <div style={{ marginTop: 16 }}><Button type="primary" htmlType="submit" loading={busy}>{t('create')}</Button></div>
      </Form>
    </Card>
  );
}
