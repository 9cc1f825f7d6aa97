/**
 * Development: choose a role and a unit, the API issues a local token.
 * Production (no /dev/token): paste the identity provider's token, or arrive
 * with it in the address's fragment (#token=…, see README "Console").
 */
import { Button, Card, Form, Input, Select, Tabs, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { devUnits, requestDevToken } from '../api/dev-token';
import { ApiError } from '../api/problem';
import { dropPendingSession, pendingSession } from '../auth/receive-token';
import { useSession } from '../auth/SessionContext';
import { sessionFromToken, type Role } from '../auth/session';
import { ErrorAlert } from '../components/ErrorAlert';
import { useI18n } from '../i18n/I18n';

const ROLES: Role[] = ['leader', 'owner', 'supervisor', 'admin'];
const DEFAULT_NAMES: Record<Role, { sub: string; name: string }> = {
  leader: { sub: 'leader-1', name: '李雷' },
  owner: { sub: 'owner-1', name: '王芳' },
  supervisor: { sub: 'supervisor-1', name: '赵敏' },
  admin: { sub: 'admin-1', name: '管理员' },
};

interface DevForm { role: Role; unit?: string; sub: string; name: string }

export function SignInPage() {
  const { t } = useI18n();
  const { signIn } = useSession();
  const [pending, setPending] = useState(pendingSession);
  const [devAvailable, setDevAvailable] = useState<boolean>();
  const [units, setUnits] = useState<Array<{ code: string; name: string }>>([]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<DevForm>();
  const role = Form.useWatch('role', form);

  useEffect(() => {
    devUnits()
      .then((list) => { setUnits(list); setDevAvailable(true); })
      .catch((err) => setDevAvailable(!(err instanceof ApiError && err.status === 404)));
  }, []);

  async function devSignIn(values: DevForm) {
    setBusy(true);
    try {
      const token = await requestDevToken({ role: values.role, unit: values.role === 'owner' ? values.unit : undefined, sub: values.sub, name: values.name });
      const session = sessionFromToken(token);
      if (!session) throw new Error(t('tokenInvalid'));
      signIn(session);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  function tokenSignIn({ token }: { token: string }) {
    const session = sessionFromToken(token);
    if (!session) return setError(new Error(t('tokenInvalid')));
    signIn(session);
  }

  const devTab = (
    <Form form={form} layout="vertical" onFinish={devSignIn} initialValues={{ role: 'leader', ...DEFAULT_NAMES.leader }}
      onValuesChange={(changed: Partial<DevForm>) => { if (changed.role) form.setFieldsValue(DEFAULT_NAMES[changed.role]); }}>
      <Form.Item label={t('role')} name="role" rules={[{ required: true }]}>
        <Select aria-label={t('role')} options={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} />
      </Form.Item>
      {role === 'owner' && (
        <Form.Item label={t('unit')} name="unit" rules={[{ required: true, message: t('required') }]}>
          <Select aria-label={t('unit')} showSearch optionFilterProp="label"
            options={units.map((u) => ({ value: u.code, label: `${u.name}（${u.code}）` }))} />
        </Form.Item>
      )}
      <Form.Item label={t('account')} name="sub" rules={[{ required: true }]}><Input /></Form.Item>
      <Form.Item label={t('name')} name="name" rules={[{ required: true }]}><Input /></Form.Item>
      <Button type="primary" htmlType="submit" loading={busy} block>{t('signIn')}</Button>
    </Form>
  );
  const tokenTab = (
    <Form layout="vertical" onFinish={tokenSignIn}>
      <Form.Item label={t('pasteToken')} name="token" rules={[{ required: true, message: t('required') }]}>
        <Input.TextArea rows={4} />
      </Form.Item>
      <Button type="primary" htmlType="submit" block>{t('signIn')}</Button>
    </Form>
  );

  if (pending) {
    const who = `${pending.name}（${t(`role.${pending.role}`)}${pending.unit ? ` · ${pending.unit}` : ''}）`;
    return (
      <Card title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('confirmSignIn')}</h1>} style={{ maxWidth: 420, margin: '24px auto' }}>
        <Typography.Paragraph>{t('confirmSignInAs')} <strong>{who}</strong></Typography.Paragraph>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>{t('confirmSignInWhy')}</Typography.Paragraph>
        <Button type="primary" block onClick={() => { dropPendingSession(); signIn(pending); }}>{t('signIn')}</Button>
        <Button block style={{ marginTop: 8 }} onClick={() => { dropPendingSession(); setPending(undefined); }}>{t('cancel')}</Button>
      </Card>
    );
  }

  return (
    <Card title={<h1 style={{ fontSize: 18, margin: 0 }}>{t('signIn')}</h1>} style={{ maxWidth: 420, margin: '24px auto' }}>
      <ErrorAlert error={error} onClose={() => setError(undefined)} />
      {devAvailable === undefined ? null : (
        <Tabs items={[
          ...(devAvailable ? [{ key: 'dev', label: t('devSignIn'), children: devTab }] : []),
          { key: 'token', label: t('tokenSignIn'), children: tokenTab },
        ]} />
      )}
      <Typography.Paragraph type="secondary" style={{ marginTop: 12, fontSize: 12 }}>{t('devOnly')}</Typography.Paragraph>
    </Card>
  );
}
