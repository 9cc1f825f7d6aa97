/**
 * One command as a small form: on success it clears and reports the new
 * version; on a refusal it shows the API's message, puts field messages under
 * their fields and keeps everything the user typed (files already stored are
 * not sent twice).
 */
import { Button, Card, Form } from 'antd';
import { useState, type ReactNode } from 'react';
import { fieldErrorsOf } from '../api/field-errors';
import { ErrorAlert } from './ErrorAlert';

export function ActionForm<T extends object>({ title, submitLabel, danger, onSubmit, onDone, children, testId }: {
  title: string;
  submitLabel: string;
  danger?: boolean;
  testId?: string;
  onSubmit: (values: T) => Promise<{ version: number }>;
  onDone: (version: number) => void;
  children?: ReactNode;
}) {
  const [form] = Form.useForm<T>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  async function run(values: T) {
    setBusy(true);
    setError(undefined);
    try {
      const result = await onSubmit(values);
      form.resetFields();
      onDone(result.version);
    } catch (err) {
      setError(err);
      form.setFields(fieldErrorsOf(err) as never);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Card size="small" title={<h3 style={{ fontSize: 15, margin: 0 }}>{title}</h3>} data-testid={testId}>
      <ErrorAlert error={error} onClose={() => setError(undefined)} />
      <Form<T> form={form} layout="vertical" onFinish={run}>
        {children}
        <Button type="primary" danger={danger} htmlType="submit" loading={busy}>{submitLabel}</Button>
      </Form>
    </Card>
  );
}
