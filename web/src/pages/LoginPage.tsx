// Sign in: username and password, then a verification code when the account has 2FA;
// OAuth buttons only for configured providers; an OAuth error from the URL is shown.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { login, oauthProviders, verifyTotp } from '../api/auth';
import { ApiError } from '../api/http';
import { useT, setLanguage, languages, useLanguage, type Language } from '../i18n';
import { signedIn } from '../stores/session';
import { navigate, useLocation } from '../app/router';
import { Field } from '../components/Field';
import { Button } from '../components/Button';

function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}

export default function LoginPage() {
  const t = useT();
  const lang = useLanguage();
  const { query } = useLocation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [totpToken, setTotpToken] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [providers, setProviders] = useState<string[]>([]);
  const codeRef = useRef<HTMLInputElement>(null);
  const oauthError = query.get('error');

  useEffect(() => {
    void oauthProviders().then(setProviders);
  }, []);
  useEffect(() => {
    if (totpToken) codeRef.current?.focus();
  }, [totpToken]);

  const finish = (user: Parameters<typeof signedIn>[0], token: string) => {
    signedIn(user, token);
    navigate(safeNext(query.get('next')), { replace: true });
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      if (!totpToken) {
        const answer = await login(username.trim(), password);
        if ('totpRequired' in answer) {
          setTotpToken(answer.totpToken);
          setPassword('');
        } else finish(answer.user, answer.accessToken);
      } else {
        const answer = await verifyTotp(totpToken, code.trim());
        finish(answer.user, answer.accessToken);
      }
    } catch (err) {
      const msg = err instanceof ApiError ? err.message : String(err);
      if (err instanceof ApiError && err.status === 401 && totpToken && /expired|state|type/i.test(msg)) setTotpToken(null);
      setError(msg);
    } finally {
      setBusy(false);
    }
  };

  const oauthMessage = oauthError
    ? t(`auth.error.${oauthError}`) !== `auth.error.${oauthError}`
      ? t(`auth.error.${oauthError}`)
      : t('auth.error.generic', { code: oauthError })
    : null;

  return (
    <div className="login-page">
      <div className="login-card">
        <div className="login-brand" aria-hidden="true">
          <img src="/icon-192.png" alt="" width={48} height={48} />
        </div>
        <h1>{totpToken ? t('auth.totpTitle') : t('auth.title')}</h1>
        {oauthMessage && !totpToken && (
          <p className="form-error" role="alert">
            {oauthMessage}
          </p>
        )}
        <form onSubmit={submit} noValidate>
          {!totpToken ? (
            <>
              <Field label={t('auth.username')}>
                <input name="username" autoComplete="username" autoCapitalize="none" spellCheck={false} value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus />
              </Field>
              <Field label={t('auth.password')}>
                <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
              </Field>
            </>
          ) : (
            <>
              <p className="muted">{t('auth.totpHelp')}</p>
              <Field label={t('auth.verificationCode')}>
                <input ref={codeRef} name="code" inputMode="text" autoComplete="one-time-code" maxLength={20} value={code} onChange={(e) => setCode(e.target.value)} required />
              </Field>
            </>
          )}
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <Button type="submit" variant="primary" className="btn-block" busy={busy} disabled={!totpToken ? !username.trim() || !password : !code.trim()}>
            {t('auth.signIn')}
          </Button>
          {totpToken && (
            <Button variant="ghost" className="btn-block" onClick={() => { setTotpToken(null); setCode(''); setError(null); }}>
              {t('auth.back')}
            </Button>
          )}
        </form>
        {!totpToken && providers.length > 0 && (
          <div className="oauth">
            <div className="divider">
              <span>{t('auth.orContinueWith')}</span>
            </div>
            {providers.map((p) => (
              <a key={p} className="btn btn-secondary btn-md btn-block" href={`/api/auth/oauth/${p}`}>
                {p === 'github' ? t('auth.continueWithGithub') : t('auth.continueWithGoogle')}
              </a>
            ))}
          </div>
        )}
        <p className="muted small">{t('auth.noSignUp')}</p>
        <label className="lang-select">
          <span className="sr-only">{t('common.language')}</span>
          <select aria-label={t('common.language')} value={lang} onChange={(e) => setLanguage(e.target.value as Language)}>
            {languages.map((l) => (
              <option key={l.code} value={l.code}>
                {l.label}
              </option>
            ))}
          </select>
        </label>
      </div>
    </div>
  );
}
