// /settings: profile, password, two-factor, linked accounts, appearance (theme, language),
// notifications (desktop, Web Push), my routers, and the version.
import { useEffect, useState } from 'react';
import { useT } from '../i18n';
import { Spinner } from '../components/Spinner';
import { useSession } from '../stores/session';
import { AppearanceSection } from './settings/AppearanceSection';
import { LinkedAccountsSection } from './settings/LinkedAccountsSection';
import { NotificationsSection } from './settings/NotificationsSection';
import { PasswordSection } from './settings/PasswordSection';
import { ProfileSection } from './settings/ProfileSection';
import { RoutersSection } from './settings/RoutersSection';
import { TwoFactorSection } from './settings/TwoFactorSection';
import { usePageStyles } from './common/usePageStyles';

function useVersion(): string | null {
  const [version, setVersion] = useState<string | null>(null);
  useEffect(() => {
    fetch('/build-info.json', { cache: 'no-store' })
      .then((r) => (r.ok ? r.json() : null))
      .then((j: { version?: unknown } | null) => setVersion(typeof j?.version === 'string' ? j.version : ''))
      .catch(() => setVersion(''));
  }, []);
  return version;
}

export default function SettingsPage() {
  usePageStyles();
  const t = useT();
  const { user } = useSession();
  const version = useVersion();
  if (!user) return <Spinner />;
  const sections: [string, string][] = [
    ['set-profile', t('settings.profile')],
    ['set-password', t('settings.password')],
    ['set-2fa', t('settings.twoFactor')],
    ['set-linked', t('settings.linkedAccounts')],
    ['set-appearance', t('settings.appearance')],
    ['set-notify', t('common.notifications')],
    ['set-routers', t('settings.routers')],
    ['set-about', t('settings.about')],
  ];
  return (
    <section className="pg" aria-labelledby="settings-title">
      <div className="pg-head">
        <h1 id="settings-title">{t('settings.title')}</h1>
      </div>
      <nav className="pg-tabs" aria-label={t('settings.sections')}>
        {sections.map(([id, label]) => (
          <a key={id} className="btn btn-ghost btn-sm" href={`#${id}`}>
            {label}
          </a>
        ))}
      </nav>
      <ProfileSection key={`p-${user.id}`} user={user} />
      <PasswordSection />
      <TwoFactorSection user={user} />
      <LinkedAccountsSection />
      <AppearanceSection />
      <NotificationsSection />
      <RoutersSection user={user} />
      <section className="pg-section" aria-labelledby="set-about">
        <h2 id="set-about">{t('settings.about')}</h2>
        <dl className="pg-dl">
          <dt>{t('settings.version')}</dt>
          <dd>{version === null ? t('common.loading') : version || t('settings.versionUnknown')}</dd>
          <dt>{t('settings.signedInAs')}</dt>
          <dd>
            {user.displayName} (@{user.username}) · {t(`admin.role_${user.role}`)}
          </dd>
        </dl>
      </section>
    </section>
  );
}
