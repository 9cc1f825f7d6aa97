/** Routes by role: owners land on their unit's inbox, everyone else on the dashboard. */
import { ConfigProvider } from 'antd';
// the ES builds: antd/locale/* re-export CommonJS, whose default the bundle would not unwrap (English everywhere)
import enUS from 'antd/es/locale/en_US';
import zhCN from 'antd/es/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { Navigate, Route, Routes } from 'react-router';
import { useSession } from './auth/SessionContext';
import { AppLayout } from './components/AppLayout';
import { useI18n } from './i18n/I18n';
import { CreateItemPage } from './pages/CreateItemPage';
import { DashboardPage } from './pages/DashboardPage';
import { InboxPage } from './pages/InboxPage';
import { ItemListPage } from './pages/ItemListPage';
import { ItemPage } from './pages/ItemPage';
import { PlansPage } from './pages/PlansPage';
import { SignInPage } from './pages/SignInPage';
import { TaskPage } from './pages/TaskPage';

/** antd's default secondary greys (45 % black) and link blue fall under WCAG AA contrast on white: darker here. */
const THEME = { token: { colorPrimary: '#b71c1c', colorLink: '#0958d9', colorTextDescription: 'rgba(0, 0, 0, 0.65)', colorTextTertiary: 'rgba(0, 0, 0, 0.65)', colorTextPlaceholder: 'rgba(0, 0, 0, 0.6)' } };

export function App() {
  const { lang } = useI18n();
  const { session } = useSession();
  dayjs.locale(lang === 'en' ? 'en' : 'zh-cn');
  const owner = session?.role === 'owner';
  return (
    <ConfigProvider locale={lang === 'en' ? enUS : zhCN} theme={THEME}>
      <AppLayout>
        {!session ? (
          <Routes><Route path="*" element={<SignInPage />} /></Routes>
        ) : (
          <Routes>
            <Route path="/" element={owner ? <Navigate to="/inbox" replace /> : <DashboardPage />} />
            <Route path="/inbox" element={<InboxPage />} />
            <Route path="/items" element={<ItemListPage />} />
            <Route path="/items/new" element={<CreateItemPage />} />
            <Route path="/plans" element={<PlansPage />} />
            <Route path="/items/:id" element={<ItemPage />} />
            <Route path="/items/:id/tasks/:taskId" element={<TaskPage />} />
            <Route path="*" element={<Navigate to="/" replace />} />
          </Routes>
        )}
      </AppLayout>
    </ConfigProvider>
  );
}
