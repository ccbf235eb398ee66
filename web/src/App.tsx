import { Navigate, Route, Routes } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useSession } from './session';
import { Layout } from './components/Layout';
import { ErrorMessage, Spinner } from './components/ui';
import { ForcedMfaPage, ForcedPasswordPage, LoginPage, NotSetUpPage, SetupPage } from './pages/AuthPages';
import { OrgsPage } from './pages/OrgsPage';
import { UsersPage } from './pages/UsersPage';
import { TokensPage } from './pages/TokensPage';
import { AuditPage } from './pages/AuditPage';
import { AccountPage } from './pages/AccountPage';
import { SettingsPage } from './pages/SettingsPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { LevelCalculatorPage } from './pages/LevelCalculatorPage';
import { SystemsPage } from './pages/SystemsPage';
import { SystemFormPage } from './pages/SystemFormPage';
import { SystemDetailPage } from './pages/SystemDetailPage';
import { AssetsPage } from './pages/AssetsPage';
import { ContactsPage } from './pages/ContactsPage';
import { ReportsPage } from './pages/ReportsPage';
import { DashboardPage } from './pages/DashboardPage';
import { SchedulePage } from './pages/SchedulePage';
import { EventSearchPage } from './pages/EventSearchPage';
import { SourcesPage } from './pages/SourcesPage';
import { PortalsPage } from './pages/PortalsPage';
import { PortalDetailPage } from './pages/PortalDetailPage';
import { AlertsPage } from './pages/AlertsPage';
import { IncidentPage, IncidentsPage } from './pages/IncidentsPage';
import { NotificationsPage } from './pages/NotificationsPage';
import { RulesPage } from './pages/RulesPage';
import { HuntPage } from './pages/HuntPage';

export function App() {
  const { t } = useTranslation();
  const { status, me, setup, perms, loadError, refresh } = useSession();

  if (status === 'loading') {
    return (
      <div className="center-page">
        <Spinner />
      </div>
    );
  }
  if (status === 'error') {
    return (
      <div className="center-page">
        <div className="auth-card">
          <h1>{t('app.load_failed')}</h1>
          <ErrorMessage error={loadError} />
          <button type="button" className="primary" onClick={() => void refresh()}>
            {t('common.retry')}
          </button>
        </div>
      </div>
    );
  }
  if (status === 'anonymous' || !me) return <LoginPage />;
  if (me.password_change_required) return <ForcedPasswordPage />;
  if (me.mfa_enrollment_required) return <ForcedMfaPage />;
  if (setup?.needs_setup) return perms.isAdmin ? <SetupPage /> : <NotSetUpPage />;

  return (
    <Routes>
      <Route element={<Layout />}>
        {/* Leaders land on the province dashboard. */}
        <Route index element={<Navigate to={perms.hasRole('leader') ? '/dashboard' : '/orgs'} replace />} />
        <Route path="login" element={<Navigate to="/orgs" replace />} />
        <Route path="orgs" element={<OrgsPage />} />
        <Route path="users" element={perms.canSeeUsers ? <UsersPage /> : <Navigate to="/orgs" replace />} />
        <Route path="tokens" element={perms.canSeeTokens ? <TokensPage /> : <Navigate to="/orgs" replace />} />
        <Route path="audit" element={perms.canSeeAudit ? <AuditPage /> : <Navigate to="/orgs" replace />} />
        <Route path="settings" element={perms.isRootAdmin ? <SettingsPage /> : <Navigate to="/orgs" replace />} />
        <Route path="account" element={<AccountPage />} />
        <Route path="systems" element={<SystemsPage />} />
        <Route path="systems/level" element={<LevelCalculatorPage />} />
        <Route path="systems/new" element={perms.canManageRegistry ? <SystemFormPage /> : <Navigate to="/systems" replace />} />
        <Route path="systems/:id" element={<SystemDetailPage />} />
        <Route path="systems/:id/edit" element={<SystemFormPage />} />
        <Route path="assets" element={<AssetsPage />} />
        <Route path="contacts" element={<ContactsPage />} />
        <Route path="reports" element={<ReportsPage />} />
        <Route path="dashboard" element={<DashboardPage />} />
        <Route path="schedules" element={<SchedulePage />} />
        <Route path="events" element={<EventSearchPage />} />
        <Route path="sources" element={<SourcesPage />} />
        <Route path="alerts" element={<AlertsPage />} />
        <Route path="incidents" element={<IncidentsPage />} />
        <Route path="incidents/:id" element={<IncidentPage />} />
        <Route
          path="notifications"
          element={perms.isAdmin || perms.hasRole('auditor') ? <NotificationsPage /> : <Navigate to="/orgs" replace />}
        />
        <Route path="rules" element={<RulesPage />} />
        <Route path="hunt" element={<HuntPage />} />
        <Route path="portals" element={<PortalsPage />} />
        <Route path="portals/:id" element={<PortalDetailPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
