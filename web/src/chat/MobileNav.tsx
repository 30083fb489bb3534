// On phones the chat has one menu: the room drawer, which also carries the app's navigation
// (the shell's own top bar is hidden on the chat route there).
import { navEntries } from '../app/routes';
import { Link } from '../app/router';
import { useT } from '../i18n';
import { signOut, useSession } from '../stores/session';

export function MobileNav() {
  const t = useT();
  const { user } = useSession();
  return (
    <nav className="mobile-nav" aria-label={t('common.mainNavigation')}>
      <ul>
        {navEntries
          .filter((e) => e.key !== 'chat' && (!e.admin || user?.role === 'admin'))
          .map((e) => (
            <li key={e.key}>
              <Link to={e.to}>{t(`common.${e.key}`)}</Link>
            </li>
          ))}
      </ul>
      <button type="button" className="btn btn-secondary btn-sm" onClick={() => void signOut()}>
        {t('common.signOut')}
      </button>
    </nav>
  );
}
