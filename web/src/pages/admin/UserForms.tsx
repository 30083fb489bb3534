// Create and edit dialogs of the admin users page (http-api.md §5.7, §5.8).
import { useState, type FormEvent } from 'react';
import { useT } from '../../i18n';
import { FormActions } from '../common/FormActions';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { createUser, updateUser, type AdminUserRow, type AdminUserUpdate, type Role } from '../../api/users';
import { errorText, fieldErrors } from '../common/errors';
import { passwordProblems } from '../settings/passwordPolicy';
import { PasswordChecklist } from '../settings/PasswordChecklist';

const USERNAME = /^[a-zA-Z0-9_-]{3,50}$/;

/** '' → null (use the global default); otherwise an integer 1–1000, or undefined when invalid. */
export function parseLimit(text: string): number | null | undefined {
  const v = text.trim();
  if (v === '') return null;
  if (!/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return n >= 1 && n <= 1000 ? n : undefined;
}

/** The role picker both dialogs show. */
function RoleField({ role, onChange }: { role: Role; onChange: (r: Role) => void }) {
  const t = useT();
  return (
    <Field label={t('admin.role')}>
      <select value={role} onChange={(e) => onChange(e.target.value as Role)}>
        <option value="user">{t('admin.role_user')}</option>
        <option value="admin">{t('admin.role_admin')}</option>
      </select>
    </Field>
  );
}

export function CreateUserDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (u: AdminUserRow) => void }) {
  const t = useT();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('user');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!USERNAME.test(username)) errs.username = t('admin.errUsername');
    if (passwordProblems(password).length > 0) errs.password = t('admin.errPasswordPolicy');
    if (displayName !== '' && displayName.trim() === '') errs.displayName = t('settings.validation.displayNameWhitespace');
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    setError(null);
    try {
      const created = await createUser({ username, password, role, ...(displayName.trim() ? { displayName: displayName.trim() } : {}) });
      onCreated({ avatarUrl: null, maxWsConnections: null, maxGateways: null, ...created });
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={t('admin.createUser')} onClose={onClose}>
      <form className="pg-form" onSubmit={submit} noValidate>
        <Field label={t('admin.username')} error={errors.username} hint={t('admin.usernameHint')}>
          <input type="text" autoComplete="off" value={username} onChange={(e) => setUsername(e.target.value)} required maxLength={50} />
        </Field>
        <Field label={t('admin.displayName')} error={errors.displayName} hint={t('admin.displayNameHint')}>
          <input type="text" value={displayName} onChange={(e) => setDisplayName(e.target.value)} maxLength={100} />
        </Field>
        <Field label={t('admin.password')} error={errors.password} hint={<PasswordChecklist password={password} />}>
          <input type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </Field>
        <RoleField role={role} onChange={setRole} />
        <FormActions submitLabel={t('admin.createUserSubmit')} busy={busy} error={error} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

export function EditUserDialog({ user, onClose, onSaved }: { user: AdminUserRow; onClose: () => void; onSaved: (u: AdminUserRow) => void }) {
  const t = useT();
  const [displayName, setDisplayName] = useState(user.displayName);
  const [role, setRole] = useState<Role>(user.role);
  const [password, setPassword] = useState('');
  const [maxWs, setMaxWs] = useState(user.maxWsConnections === null ? '' : String(user.maxWsConnections));
  const [maxGw, setMaxGw] = useState(user.maxGateways === null ? '' : String(user.maxGateways));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const body: AdminUserUpdate = {};
    if (displayName !== user.displayName) {
      if (displayName.trim() === '') errs.displayName = t('settings.validation.displayNameWhitespace');
      else body.displayName = displayName.trim();
    }
    if (role !== user.role) body.role = role;
    if (password !== '') {
      if (passwordProblems(password).length > 0) errs.password = t('admin.errPasswordPolicy');
      else body.password = password;
    }
    const ws = parseLimit(maxWs);
    if (ws === undefined) errs.maxWsConnections = t('admin.errLimit');
    else if (ws !== user.maxWsConnections) body.maxWsConnections = ws;
    const gw = parseLimit(maxGw);
    if (gw === undefined) errs.maxGateways = t('admin.errLimit');
    else if (gw !== user.maxGateways) body.maxGateways = gw;
    setErrors(errs);
    if (Object.keys(errs).length) return;
    if (Object.keys(body).length === 0) return onClose();
    setBusy(true);
    setError(null);
    try {
      const saved = await updateUser(user.id, body);
      onSaved({ ...user, ...saved });
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={t('admin.editUserTitle', { username: user.username })} onClose={onClose}>
      <form className="pg-form" onSubmit={submit} noValidate>
        <Field label={t('admin.displayName')} error={errors.displayName}>
          <input type="text" value={displayName} onChange={(e) => setDisplayName(e.target.value)} maxLength={100} />
        </Field>
        <RoleField role={role} onChange={setRole} />
        <Field label={t('admin.newPassword')} error={errors.password} hint={password ? <PasswordChecklist password={password} /> : t('admin.newPasswordHint')}>
          <input type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <Field label={t('admin.maxWsConnections')} error={errors.maxWsConnections} hint={t('admin.limitHint')}>
          <input type="number" min={1} max={1000} inputMode="numeric" value={maxWs} onChange={(e) => setMaxWs(e.target.value)} />
        </Field>
        <Field label={t('admin.maxGateways')} error={errors.maxGateways} hint={t('admin.limitHint')}>
          <input type="number" min={1} max={1000} inputMode="numeric" value={maxGw} onChange={(e) => setMaxGw(e.target.value)} />
        </Field>
        <FormActions submitLabel={t('admin.saveUser')} busy={busy} error={error} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
