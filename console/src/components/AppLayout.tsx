/** The frame: title, what this role may open, the language switch, who is signed in. */
import { Button, Layout, Space, Typography } from 'antd';
import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router';
import { useSession } from '../auth/SessionContext';
import { useI18n } from '../i18n/I18n';

const NAV = { color: '#fff' };

export function AppLayout({ children }: { children: ReactNode }) {
  const { t, lang, setLang } = useI18n();
  const { session, signOut } = useSession();
  const location = useLocation();
  const owner = session?.role === 'owner';
  const links = session
    ? owner
      ? [{ key: '/inbox', label: <Link style={NAV} to="/inbox">{t('inbox')}</Link> }]
      : [
          { key: '/', label: <Link style={NAV} to="/">{t('dashboard')}</Link> },
          { key: '/items', label: <Link style={NAV} to="/items">{t('items')}</Link> },
          { key: '/plans', label: <Link style={NAV} to="/plans">{t('plans')}</Link> },
          ...(session.role === 'leader' || session.role === 'admin'
            ? [{ key: '/items/new', label: <Link style={NAV} to="/items/new">{t('newItem')}</Link> }] : []),
        ]
    : [];
  const selected = links.map((l) => l.key).filter((k) => k === location.pathname);
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: 8, padding: '8px 12px', height: 'auto', lineHeight: '32px', background: '#001529' }}>
        <Typography.Text strong style={{ color: '#fff', whiteSpace: 'nowrap' }}>{t('appTitle')}</Typography.Text>
        {/* plain links, not antd's Menu: its overflow on a phone hides items with aria-hidden yet leaves them focusable (axe: aria-hidden-focus) */}
        <nav aria-label={t('appTitle')} style={{ flex: '1 1 auto', display: 'flex', flexWrap: 'wrap', columnGap: 16, lineHeight: '24px', whiteSpace: 'nowrap' }}>
          {links.map((l) => (
            <span key={l.key} className={selected.includes(l.key) ? 'nav-current' : undefined}
              style={{ borderBottom: selected.includes(l.key) ? '2px solid #fff' : '2px solid transparent' }}>
              {l.label}
            </span>
          ))}
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
