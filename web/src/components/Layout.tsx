// The application frame: left navigation, top bar, page content.
import { Fragment, useEffect, useState } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { useSession } from '../session';
import { LanguageSwitch } from './LanguageSwitch';

/** The operational modules in menu order. */
const MODULES = ['monitoring', 'incidents', 'systems', 'reports'] as const;

export function Layout() {
  const { t } = useTranslation();
  const { me, setup, perms, logout } = useSession();
  // Detection rules are read by administrators, SOC analysts and auditors (model/access.cpp).
  const canReadRules = perms.isAdmin || perms.hasRole('soc_analyst') || perms.hasRole('auditor');
  const canHunt = perms.isAdmin || perms.hasRole('soc_analyst');
  const navigate = useNavigate();
  const [version, setVersion] = useState<string | null>(null);

  useEffect(() => {
    api.version().then(
      (v) => setVersion(v.version),
      () => setVersion(null),
    );
  }, []);

  const onLogout = async () => {
    await logout();
    navigate('/', { replace: true });
  };

  const link = (to: string, key: string, testId: string) => (
    <li>
      <NavLink to={to} className={({ isActive }) => (isActive ? 'nav-link active' : 'nav-link')} data-testid={testId}>
        {t(key)}
      </NavLink>
    </li>
  );

  const roleSummary = (me?.roles ?? []).map((r) => `${t(`roles.${r.role}`)} · ${r.org_name}`).join('; ');

  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="sidebar-brand">
          <div className="brand-mark" aria-hidden="true">
            V
          </div>
          <div>
            <div className="brand-name">{t('app.name')}</div>
            <div className="brand-tagline">{t('app.tagline_short')}</div>
          </div>
        </div>
        <nav aria-label={t('nav.label')} data-testid="nav">
          <div className="nav-section">{t('nav.section_admin')}</div>
          <ul>
            {link('/orgs', 'nav.orgs', 'nav-orgs')}
            {perms.canSeeUsers && link('/users', 'nav.users', 'nav-users')}
            {perms.canSeeTokens && link('/tokens', 'nav.tokens', 'nav-tokens')}
            {perms.canSeeAudit && link('/audit', 'nav.audit', 'nav-audit')}
            {perms.isRootAdmin && link('/settings', 'nav.settings', 'nav-settings')}
            {(perms.isAdmin || perms.hasRole('auditor')) && link('/notifications', 'nav.notifications', 'nav-notifications')}
          </ul>
          <div className="nav-section">{t('nav.section_personal')}</div>
          <ul>{link('/account', 'nav.account', 'nav-account')}</ul>
          <div className="nav-section">{t('nav.section_modules')}</div>
          <ul>
            {link('/dashboard', 'nav.dashboard', 'nav-dashboard')}
            {MODULES.map((m) =>
              m === 'monitoring' ? (
                <li key={m}>
                  <NavLink to="/events" className={({ isActive }) => (isActive ? 'nav-link nav-group active-group' : 'nav-link nav-group')} data-testid="nav-monitoring">
                    {t('nav.monitoring')}
                  </NavLink>
                  <ul className="nav-sub">
                    {link('/events', 'nav.events', 'nav-events')}
                    {link('/sources', 'nav.sources', 'nav-sources')}
                    {link('/alerts', 'nav.alert_queue', 'nav-alerts')}
                    {canReadRules && link('/rules', 'nav.rules', 'nav-rules')}
                    {canHunt && link('/hunt', 'nav.hunt', 'nav-hunt')}
                    {link('/portals', 'portals.nav', 'nav-portals')}
                  </ul>
                </li>
              ) : m === 'systems' ? (
                <li key={m}>
                  <NavLink to="/systems" end className={({ isActive }) => (isActive ? 'nav-link nav-group active-group' : 'nav-link nav-group')} data-testid="nav-systems">
                    {t('nav.systems')}
                  </NavLink>
                  <ul className="nav-sub">
                    {link('/assets', 'nav.assets', 'nav-assets')}
                    {link('/contacts', 'nav.contacts', 'nav-contacts')}
                    {link('/systems/level', 'nav.systems_level', 'nav-systems-level')}
                    {link('/schedules', 'nav.schedules', 'nav-schedules')}
                  </ul>
                </li>
              ) : m === 'incidents' ? (
                <Fragment key={m}>{link('/incidents', 'nav.incidents', 'nav-incidents')}</Fragment>
              ) : m === 'reports' ? (
                <Fragment key={m}>{link('/reports', 'nav.reports', 'nav-reports')}</Fragment>
              ) : null,
            )}
          </ul>
        </nav>
        {version && (
          <div className="sidebar-footer" data-testid="version">
            {t('app.version', { version })}
          </div>
        )}
      </aside>
      <div className="main">
        <header className="topbar">
          <div className="topbar-title" data-testid="province-name">
            {setup?.province_name || t('app.name')}
          </div>
          <div className="topbar-right">
            <div className="user-chip" title={roleSummary}>
              <span className="user-name" data-testid="current-user">
                {me?.user.display_name || me?.user.username}
              </span>
              <span className="user-roles">{roleSummary}</span>
            </div>
            <LanguageSwitch />
            <button type="button" className="link-button" onClick={() => void onLogout()} data-testid="logout">
              {t('nav.logout')}
            </button>
          </div>
        </header>
        <main className="content">
          <Outlet />
        </main>
      </div>
    </div>
  );
}
