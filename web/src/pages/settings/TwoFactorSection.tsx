// Two-factor authentication: set up (QR code + secret, verify a code, show the backup codes
// once) or disable with the password (http-api.md §3.5–3.7).
import { useState, type FormEvent } from 'react';
import { useT } from '../../i18n';
import { Button } from '../../components/Button';
import { Field } from '../../components/Field';
import { toast } from '../../components/Toast';
import { disableTotp, setupTotp, verifyTotpSetup } from '../../api/users';
import { setUser, type SessionUser } from '../../stores/session';
import { errorText } from '../common/errors';
import { QrCode } from './QrCode';

type Step = { kind: 'idle' } | { kind: 'setup'; secret: string; uri: string } | { kind: 'codes'; codes: string[] };

export function TwoFactorSection({ user }: { user: SessionUser }) {
  const t = useT();
  const [step, setStep] = useState<Step>({ kind: 'idle' });
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function start() {
    setBusy(true);
    setError(null);
    try {
      const r = await setupTotp();
      setStep({ kind: 'setup', secret: r.secret, uri: r.uri });
      setCode('');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  async function verify(e: FormEvent) {
    e.preventDefault();
    if (!/^\d{6}$/.test(code.trim())) return setError(t('settings.errTotpCode'));
    setBusy(true);
    setError(null);
    try {
      const r = await verifyTotpSetup(code.trim());
      setUser({ ...user, totpEnabled: true });
      setStep({ kind: 'codes', codes: r.backupCodes });
      toast(t('settings.totpEnabled'), 'success');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  async function disable(e: FormEvent) {
    e.preventDefault();
    if (password === '') return setError(t('settings.errCurrentPassword'));
    setBusy(true);
    setError(null);
    try {
      await disableTotp(password);
      setUser({ ...user, totpEnabled: false });
      setPassword('');
      toast(t('settings.totpDisabled'), 'success');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  const errorBox = error && (
    <p className="pg-error" role="alert">
      {error}
    </p>
  );

  return (
    <section className="pg-section" aria-labelledby="set-2fa">
      <h2 id="set-2fa">{t('settings.twoFactor')}</h2>
      <p>
        {t('settings.twoFactorStatus')} <strong>{user.totpEnabled ? t('settings.on') : t('settings.off')}</strong>
      </p>
      {step.kind === 'codes' && (
        <div className="pg-warn-box">
          <h3>{t('settings.backupCodes')}</h3>
          <p>{t('settings.backupCodesHint')}</p>
          <ol className="pg-codes" aria-label={t('settings.backupCodes')}>
            {step.codes.map((c) => (
              <li key={c}>{c}</li>
            ))}
          </ol>
          <div className="pg-actions">
            <Button
              onClick={() => {
                void navigator.clipboard?.writeText(step.codes.join('\n')).then(
                  () => toast(t('settings.copied'), 'success'),
                  () => toast(t('settings.copyFailed'), 'error'),
                );
              }}
            >
              {t('settings.copyCodes')}
            </Button>
            <Button variant="primary" onClick={() => setStep({ kind: 'idle' })}>
              {t('settings.savedCodes')}
            </Button>
          </div>
        </div>
      )}
      {!user.totpEnabled && step.kind === 'idle' && (
        <>
          <p className="pg-muted">{t('settings.twoFactorIntro')}</p>
          {errorBox}
          <Button variant="primary" busy={busy} onClick={() => void start()}>
            {t('settings.setupTotp')}
          </Button>
        </>
      )}
      {!user.totpEnabled && step.kind === 'setup' && (
        <form className="pg-form" onSubmit={verify} noValidate>
          <p>{t('settings.scanQr')}</p>
          <QrCode text={step.uri} label={t('settings.qrLabel')} />
          <p className="pg-muted">
            {t('settings.secretManual')} <span className="pg-code">{step.secret}</span>
          </p>
          <Field label={t('settings.verificationCode')}>
            <input type="text" inputMode="numeric" autoComplete="one-time-code" pattern="\d{6}" maxLength={6} value={code} onChange={(e) => setCode(e.target.value)} />
          </Field>
          {errorBox}
          <div className="pg-actions">
            <Button type="submit" variant="primary" busy={busy}>
              {t('settings.verifyEnable')}
            </Button>
            <Button onClick={() => setStep({ kind: 'idle' })}>{t('common.cancel')}</Button>
          </div>
        </form>
      )}
      {user.totpEnabled && step.kind !== 'codes' && (
        <form className="pg-form" onSubmit={disable} noValidate>
          <Field label={t('settings.passwordToDisable')}>
            <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          </Field>
          {errorBox}
          <div className="pg-actions">
            <Button type="submit" variant="danger" busy={busy}>
              {t('settings.disableTotp')}
            </Button>
          </div>
        </form>
      )}
    </section>
  );
}
