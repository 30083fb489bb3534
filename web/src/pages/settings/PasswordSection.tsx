// Password change with the policy shown; the hub then ends every session, this one included.
import { useState, type FormEvent } from 'react';
import { useT } from '../../i18n';
import { FormActions } from '../common/FormActions';
import { Field } from '../../components/Field';
import { toast } from '../../components/Toast';
import { changePassword } from '../../api/users';
import { signOut } from '../../stores/session';
import { errorText } from '../common/errors';
import { passwordProblems } from './passwordPolicy';
import { PasswordChecklist } from './PasswordChecklist';

export function PasswordSection() {
  const t = useT();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const mismatch = confirm !== '' && confirm !== next;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (current === '') return setError(t('settings.errCurrentPassword'));
    if (passwordProblems(next).length) return setError(t('admin.errPasswordPolicy'));
    if (next !== confirm) return setError(t('settings.errPasswordMismatch'));
    setBusy(true);
    setError(null);
    try {
      await changePassword(current, next);
      toast(t('settings.passwordChanged'), 'success', 8000);
      await signOut();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="pg-section" aria-labelledby="set-password">
      <h2 id="set-password">{t('settings.password')}</h2>
      <form className="pg-form" onSubmit={submit} noValidate>
        <Field label={t('settings.currentPassword')}>
          <input type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />
        </Field>
        <Field label={t('settings.newPassword')} hint={<PasswordChecklist password={next} />}>
          <input type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />
        </Field>
        <Field label={t('settings.confirmPassword')} error={mismatch ? t('settings.errPasswordMismatch') : null}>
          <input type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} />
        </Field>
        <p className="pg-muted">{t('settings.passwordSignsOut')}</p>
        <FormActions submitLabel={t('settings.changePassword')} busy={busy} error={error} />
      </form>
    </section>
  );
}
