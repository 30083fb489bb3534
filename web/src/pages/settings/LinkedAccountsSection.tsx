// Linked GitHub / Google accounts: link (goes to the provider) and unlink (http-api.md §4, §5.3).
import { useCallback, useEffect, useState } from 'react';
import { useT } from '../../i18n';
import { Button } from '../../components/Button';
import { toast } from '../../components/Toast';
import { linkOAuth, listOAuthAccounts, listOAuthProviders, unlinkOAuth, type OAuthAccount } from '../../api/users';
import { errorText } from '../common/errors';
import { dateTime } from '../common/format';

const PROVIDER_NAMES: Record<string, string> = { github: 'GitHub', google: 'Google' };

export function LinkedAccountsSection() {
  const t = useT();
  const [providers, setProviders] = useState<string[] | null>(null);
  const [accounts, setAccounts] = useState<OAuthAccount[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const [p, a] = await Promise.all([listOAuthProviders(), listOAuthAccounts()]);
      setProviders(p);
      setAccounts(a);
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  }, []);
  useEffect(() => void load(), [load]);

  const shown = [...new Set([...(providers ?? []), ...accounts.map((a) => a.provider)])];

  async function link(p: string) {
    setBusy(p);
    try {
      const r = await linkOAuth(p);
      if (r?.url && /^https?:\/\//i.test(r.url)) window.location.assign(r.url);
    } catch (e) {
      toast(errorText(e), 'error');
      setBusy(null);
    }
  }

  async function unlink(p: string) {
    setBusy(p);
    try {
      await unlinkOAuth(p);
      toast(t('settings.unlinked', { provider: PROVIDER_NAMES[p] ?? p }), 'success');
      await load();
    } catch (e) {
      toast(errorText(e), 'error');
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="pg-section" aria-labelledby="set-linked">
      <h2 id="set-linked">{t('settings.linkedAccounts')}</h2>
      {error && (
        <p className="pg-error" role="alert">
          {error}
        </p>
      )}
      {providers && shown.length === 0 && <p className="pg-muted">{t('settings.noProviders')}</p>}
      {shown.length > 0 && (
        <ul className="pg-list">
          {shown.map((p) => {
            const acc = accounts.find((a) => a.provider === p);
            const name = PROVIDER_NAMES[p] ?? p;
            return (
              <li key={p} className="pg-card pg-card-head">
                <div>
                  <strong>{name}</strong>
                  <div className="pg-muted">
                    {acc ? t('settings.linkedAs', { who: acc.email || acc.displayName || acc.providerAccountId, date: dateTime(acc.createdAt) }) : t('settings.notLinked')}
                  </div>
                </div>
                {acc ? (
                  <Button size="sm" busy={busy === p} onClick={() => void unlink(p)} aria-label={t('settings.unlinkNamed', { provider: name })}>
                    {t('settings.unlink')}
                  </Button>
                ) : (
                  <Button size="sm" variant="primary" busy={busy === p} onClick={() => void link(p)} aria-label={t('settings.linkNamed', { provider: name })}>
                    {t('settings.link')}
                  </Button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
