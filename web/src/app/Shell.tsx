// The signed-in frame: skip link, main navigation (a drawer on narrow screens), sign out,
// offline banner, toasts, and the live connection to the hub.
import { useEffect, useState, type ReactNode, type RefObject } from 'react';
import { navEntries } from './routes';
import { Link, useLocation } from './router';
import { useT } from '../i18n';
import { signOut, useSession } from '../stores/session';
import { Toaster } from '../components/Toast';
import { OfflineBanner } from './OfflineBanner';
import { chat, startRealtime } from '../chat/chatStore';
import { pendingApprovals } from '../state/roomState';
import { useObservable } from '../lib/observable';
import { Avatar } from '../chat/Avatar';
import { Icon } from '../components/Icon';

export function Shell({ children, nav, mainRef }: { children: ReactNode; nav?: string; mainRef: RefObject<HTMLElement> }) {
  const t = useT();
  const { user } = useSession();
  const { path } = useLocation();
  const [open, setOpen] = useState(false);
  // Approvals wait on every page: the Chat entry says how many.
  const approvals = pendingApprovals(useObservable(chat)).length;

  useEffect(() => startRealtime(), []);
  useEffect(() => setOpen(false), [path]);

  const entries = navEntries.filter((e) => !e.admin || user?.role === 'admin');
  return (
    <div className={`app-shell${open ? ' nav-open' : ''}${nav ? ` route-${nav}` : ''}`}>
      <a href="#main" className="skip-link" onClick={(e) => { e.preventDefault(); mainRef.current?.focus(); }}>
        {t('common.skipToContent')}
      </a>
      <header className="topbar">
        <button type="button" className="btn btn-ghost icon-btn nav-toggle" aria-expanded={open} aria-controls="main-nav" aria-label={open ? t('common.closeMenu') : t('common.openMenu')} onClick={() => setOpen(!open)}>
          <Icon name="menu" />
        </button>
        <span className="brand">AgentIM</span>
      </header>
      <nav id="main-nav" className="main-nav" aria-label={t('common.mainNavigation')}>
        <div className="brand nav-brand">AgentIM</div>
        <ul>
          {entries.map((e) => (
            <li key={e.key}>
              <Link to={e.to} aria-current={nav === e.key ? 'page' : undefined} className="nav-link">
                <span className="nav-icon" aria-hidden="true"><Icon name={icons[e.key] ?? 'chat'} /></span>
                <span>{t(`common.${e.key}`)}</span>
                {e.key === 'chat' && approvals > 0 && (
                  <span className="unread-badge nav-badge" aria-label={t('chat.pendingApprovals', { n: approvals })}>
                    {approvals}
                  </span>
                )}
              </Link>
            </li>
          ))}
        </ul>
        <div className="nav-footer">
          {user && (
            <div className="nav-user">
              <Avatar name={user.displayName || user.username} url={user.avatarUrl} size={28} />
              <span className="nav-user-name" title={user.username}>{user.displayName || user.username}</span>
            </div>
          )}
          <button type="button" className="btn btn-secondary btn-sm" onClick={() => void signOut()}>
            {t('common.signOut')}
          </button>
        </div>
      </nav>
      {open && <div className="nav-scrim" onClick={() => setOpen(false)} aria-hidden="true" />}
      <main id="main" ref={mainRef} tabIndex={-1} className="app-main">
        <OfflineBanner />
        {children}
      </main>
      <Toaster />
    </div>
  );
}

const icons: Record<string, string> = {
  chat: 'chat',
  agents: 'agents',
  tasks: 'tasks',
  settings: 'settings',
  users: 'users',
  adminDashboard: 'dashboard',
  adminSettings: 'tools',
  serviceAgents: 'puzzle',
};
