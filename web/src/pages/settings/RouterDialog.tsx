// Create / edit a router with every field of http-api.md §10.2 (scope and visibility only for
// admins: global routers are theirs to make).
import { useEffect, useState, type FormEvent } from 'react';
import { useT } from '../../i18n';
import { FormActions } from '../common/FormActions';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { createRouter, updateRouter, type Router, type RouterVisibility } from '../../api/routers';
import { UserPicker, type PickedUser } from '../agents/UserPicker';
import { userLabel } from '../agents/userLabels';
import { listUsers } from '../../api/users';
import { errorText, fieldErrors } from '../common/errors';
import { EMPTY_ROUTER_FORM, routerFormToInput, routerToForm, type RouterErrors, type RouterForm } from './routerForm';

export function RouterDialog({ existing, isAdmin, onClose, onSaved }: { existing?: Router; isAdmin: boolean; onClose: () => void; onSaved: (r: Router) => void }) {
  const t = useT();
  const editing = !!existing;
  const [form, setForm] = useState<RouterForm>(() => (existing ? routerToForm(existing) : { ...EMPTY_ROUTER_FORM }));
  const [picked, setPicked] = useState<PickedUser[]>(() => (existing?.visibilityList ?? []).map((id) => ({ id, label: userLabel(id) })));
  // Admins (the only ones with global routers) can name every listed user.
  useEffect(() => {
    if (!isAdmin || !existing?.visibilityList?.length) return;
    let live = true;
    listUsers().then(
      ({ users }) => {
        if (!live) return;
        const names = new Map(users.map((u) => [u.id, u.displayName && u.displayName !== u.username ? `${u.displayName} (@${u.username})` : `@${u.username}`]));
        setPicked((list) => list.map((p) => ({ ...p, label: names.get(p.id) ?? p.label })));
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [isAdmin, existing]);
  const [errors, setErrors] = useState<RouterErrors & Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof RouterForm>(k: K, v: RouterForm[K]) => setForm((f) => ({ ...f, [k]: v }));
  const err = (k: keyof RouterForm) => (errors[k] ? (errors[k]!.startsWith('settings.') ? t(errors[k]!) : errors[k]!) : null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const { input, errors: errs } = routerFormToInput({ ...form, visibilityList: picked.map((p) => p.id) }, editing);
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    setError(null);
    try {
      const saved = editing ? await updateRouter(existing!.id, input) : await createRouter(input);
      onSaved(saved);
    } catch (e2) {
      setErrors(fieldErrors(e2));
      setError(errorText(e2));
    } finally {
      setBusy(false);
    }
  }

  const scopeLocked = editing || !isAdmin;
  return (
    <Dialog title={editing ? t('settings.editRouterTitle', { name: existing!.name }) : t('settings.newRouter')} onClose={onClose} size="lg">
      <form className="pg-form pg-form-wide" onSubmit={submit} noValidate>
        <div className="pg-grid2">
          <Field label={t('settings.routerName')} error={err('name')}>
            <input type="text" value={form.name} maxLength={100} onChange={(e) => set('name', e.target.value)} />
          </Field>
          <Field label={t('settings.routerScope')} hint={scopeLocked ? (editing ? t('settings.scopeFixed') : t('settings.scopeAdminOnly')) : undefined}>
            <select value={form.scope} disabled={scopeLocked} onChange={(e) => set('scope', e.target.value as RouterForm['scope'])}>
              <option value="personal">{t('settings.scope_personal')}</option>
              <option value="global">{t('settings.scope_global')}</option>
            </select>
          </Field>
        </div>
        <Field label={t('settings.routerDescription')} error={err('description')}>
          <textarea value={form.description} maxLength={1000} rows={2} onChange={(e) => set('description', e.target.value)} />
        </Field>
        <div className="pg-grid2">
          <Field label={t('settings.llmBaseUrl')} error={err('llmBaseUrl')} hint={t('settings.llmBaseUrlHint')}>
            <input type="url" value={form.llmBaseUrl} placeholder="https://api.openai.com/v1" onChange={(e) => set('llmBaseUrl', e.target.value)} />
          </Field>
          <Field label={t('settings.llmModel')} error={err('llmModel')}>
            <input type="text" value={form.llmModel} maxLength={200} onChange={(e) => set('llmModel', e.target.value)} />
          </Field>
        </div>
        <Field label={t('settings.llmApiKey')} error={err('llmApiKey')} hint={editing ? t('settings.keyKeep', { masked: existing!.llmApiKey }) : undefined}>
          <input type="password" autoComplete="new-password" value={form.llmApiKey} maxLength={500} onChange={(e) => set('llmApiKey', e.target.value)} />
        </Field>
        <div className="pg-grid2">
          <Field label={t('settings.maxChainDepth')} error={err('maxChainDepth')} hint={t('settings.rangeHint', { min: 1, max: 100 })}>
            <input type="number" min={1} max={100} inputMode="numeric" value={form.maxChainDepth} onChange={(e) => set('maxChainDepth', e.target.value)} />
          </Field>
          <Field label={t('settings.rateLimitWindow')} error={err('rateLimitWindow')} hint={t('settings.rangeHint', { min: 1, max: 3600 })}>
            <input type="number" min={1} max={3600} inputMode="numeric" value={form.rateLimitWindow} onChange={(e) => set('rateLimitWindow', e.target.value)} />
          </Field>
          <Field label={t('settings.rateLimitMax')} error={err('rateLimitMax')} hint={t('settings.rangeHint', { min: 1, max: 1000 })}>
            <input type="number" min={1} max={1000} inputMode="numeric" value={form.rateLimitMax} onChange={(e) => set('rateLimitMax', e.target.value)} />
          </Field>
        </div>
        {form.scope === 'global' && (
          <fieldset>
            <legend>{t('settings.routerVisibility')}</legend>
            <div className="pg-radio">
              {(['all', 'whitelist', 'blacklist'] as RouterVisibility[]).map((v) => (
                <label key={v}>
                  <input type="radio" name="router-visibility" value={v} checked={form.visibility === v} onChange={() => set('visibility', v)} />
                  {t(`settings.visibility_${v}`)}
                </label>
              ))}
            </div>
            {form.visibility !== 'all' && (
              <>
                <UserPicker label={form.visibility === 'whitelist' ? t('settings.whitelistUsers') : t('settings.blacklistUsers')} selected={picked} onChange={setPicked} />
                {err('visibilityList') && (
                  <p className="pg-error" role="alert">
                    {err('visibilityList')}
                  </p>
                )}
              </>
            )}
          </fieldset>
        )}
        <FormActions submitLabel={editing ? t('settings.saveRouter') : t('settings.createRouter')} busy={busy} error={error} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
