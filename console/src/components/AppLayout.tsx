/** The frame: title, what this role may open, the language switch, who is signed in. */
import { Button, Layout, Menu, Space, Typography } from 'antd';
import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router';
import { useSession } from '../auth/SessionContext';
import { useI18n } from '../i18n/I18n';

export function AppLayout({ children }: { children: ReactNode }) {
  const { t, lang, setLang } = useI18n();
  const { session, signOut } = useSession();
  const location = useLocation();
  const owner = session?.role === 'owner';
  const links = session
    ? owner
      ? [{ key: '/inbox', label: <Link to="/inbox">{t('inbox')}</Link> }]
      : [
          { key: '/', label: <Link to="/">{t('dashboard')}</Link> },
          { key: '/items', label: <Link to="/items">{t('items')}</Link> },
          ...(session.role === 'leader' || session.role === 'admin'
            ? [{ key: '/items/new', label: <Link to="/items/new">{t('newItem')}</Link> }] : []),
        ]
    : [];
  const selected = links.map((l) => l.key).filter((k) => k === location.pathname);
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 12, paddingInline: 12, background: '#001529' }}>
        <Typography.Text strong style={{ color: '#fff', whiteSpace: 'nowrap' }}>{t('appTitle')}</Typography.Text>
        <nav aria-label={t('appTitle')} style={{ flex: 1, minWidth: 0 }}>
          <Menu theme="dark" mode="horizontal" selectedKeys={selected} items={links} style={{ minWidth: 0 }} />
        </nav>
        <Space size={4}>
          <Button size="small" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>{t('language')}</Button>
          {session && (
            <>
              <Typography.Text style={{ color: '#fff' }} className="who">
                {session.name}（{t(`role.${session.role}`)}{session.unit ? ` · ${session.unit}` : ''}）
              </Typography.Text>
              <Button size="small" onClick={signOut}>{t('signOut')}</Button>
            </>
          )}
        </Space>
      </Layout.Header>
      <Layout.Content style={{ padding: 12 }}>
        <main style={{ maxWidth: 1280, margin: '0 auto' }}>{children}</main>
      </Layout.Content>
    </Layout>
  );
}
