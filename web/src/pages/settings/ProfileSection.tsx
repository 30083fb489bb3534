// Profile: avatar upload with progress, display name, username (read-only).
import { useRef, useState, type FormEvent } from 'react';
import { useT } from '../../i18n';
import { FormActions } from '../common/FormActions';
import { Field } from '../../components/Field';
import { toast } from '../../components/Toast';
import { withToken } from '../../api/http';
import { updateMe, uploadAvatar } from '../../api/users';
import { setUser, type SessionUser } from '../../stores/session';
import { errorText, fieldErrors } from '../common/errors';

const AVATAR_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];
const AVATAR_MAX = 2 * 1024 * 1024;

export function ProfileSection({ user }: { user: SessionUser }) {
  const t = useT();
  const [displayName, setDisplayName] = useState(user.displayName);
  const [nameError, setNameError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const [avatarError, setAvatarError] = useState<string | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);

  async function saveName(e: FormEvent) {
    e.preventDefault();
    if (displayName.trim() === '') return setNameError(t('settings.validation.displayNameWhitespace'));
    setSaving(true);
    setNameError(null);
    try {
      const me = await updateMe({ displayName: displayName.trim() });
      setUser({ ...user, displayName: me.displayName });
      setDisplayName(me.displayName);
      toast(t('settings.profileSaved'), 'success');
    } catch (err) {
      setNameError(fieldErrors(err).displayName ?? errorText(err));
    } finally {
      setSaving(false);
    }
  }

  async function upload(file: File) {
    setAvatarError(null);
    if (!AVATAR_TYPES.includes(file.type)) return setAvatarError(t('settings.avatarType'));
    if (file.size > AVATAR_MAX) return setAvatarError(t('settings.avatarSize'));
    setProgress(0);
    try {
      const r = await uploadAvatar(file, (f) => setProgress(f));
      setUser({ ...user, avatarUrl: r.avatarUrl });
      toast(t('settings.avatarSaved'), 'success');
    } catch (err) {
      setAvatarError(errorText(err));
    } finally {
      setProgress(null);
      if (fileRef.current) fileRef.current.value = '';
    }
  }

  return (
    <section className="pg-section" aria-labelledby="set-profile">
      <h2 id="set-profile">{t('settings.profile')}</h2>
      <div className="pg-row" style={{ marginBottom: 12 }}>
        {user.avatarUrl ? (
          <img className="pg-avatar" src={withToken(user.avatarUrl)} alt={t('settings.avatarAlt', { name: user.displayName })} />
        ) : (
          <span className="pg-avatar" aria-hidden="true">
            {(user.displayName || user.username).slice(0, 1).toUpperCase()}
          </span>
        )}
        <div>
          <label className="btn btn-secondary btn-md" htmlFor="avatar-file">
            {t('settings.uploadAvatar')}
          </label>
          <input
            ref={fileRef}
            id="avatar-file"
            className="sr-only"
            type="file"
            accept={AVATAR_TYPES.join(',')}
            aria-describedby="avatar-hint"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void upload(f);
            }}
          />
          <div id="avatar-hint" className="pg-muted">
            {t('settings.avatarHint')}
          </div>
          {progress !== null && (
            <progress max={1} value={progress} aria-label={t('settings.avatarProgress')}>
              {Math.round(progress * 100)}%
            </progress>
          )}
          {avatarError && (
            <p className="pg-error" role="alert">
              {avatarError}
            </p>
          )}
        </div>
      </div>
      <form className="pg-form" onSubmit={saveName}>
        <Field label={t('settings.username')} hint={t('settings.usernameReadOnly')}>
          <input type="text" value={user.username} readOnly aria-readonly="true" />
        </Field>
        <Field label={t('settings.displayName')} error={nameError}>
          <input type="text" value={displayName} maxLength={100} onChange={(e) => setDisplayName(e.target.value)} />
        </Field>
        <FormActions submitLabel={t('settings.saveProfile')} busy={saving} disabled={displayName === user.displayName} />
      </form>
    </section>
  );
}
