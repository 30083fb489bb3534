// Create / edit dialog for a service agent: name, description, category, status (edit), and the
// provider's config fields generated from its schema (or free JSON for `custom`).
import { useMemo, useState, type FormEvent } from 'react';
import { useT } from '../../i18n';
import { FormActions } from '../common/FormActions';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { ApiError } from '../../api/http';
import {
  createServiceAgent,
  SERVICE_AGENT_CATEGORIES,
  updateServiceAgent,
  type Provider,
  type ServiceAgent,
  type ServiceAgentCategory,
  type ServiceAgentInput,
} from '../../api/serviceAgents';
import { buildConfig, fieldErrorsFromApi, initialValues, parseCustomConfig, schemaFields, withoutMasked, type ConfigField } from './serviceAgentForm';
import { errorText, validationText } from '../common/errors';

export interface ServiceAgentDialogProps {
  provider: Provider | null; // null = custom
  type: string;
  existing?: ServiceAgent; // with config (masked) when editing
  onClose: () => void;
  onSaved: (agent: ServiceAgent) => void;
}

export function ServiceAgentDialog({ provider, type, existing, onClose, onSaved }: ServiceAgentDialogProps) {
  const t = useT();
  const editing = !!existing;
  const fields = useMemo(() => schemaFields(provider?.configSchema), [provider]);
  const [name, setName] = useState(existing?.name ?? '');
  const [description, setDescription] = useState(existing?.description ?? '');
  const [category, setCategory] = useState<ServiceAgentCategory>(existing?.category ?? provider?.category ?? 'chat');
  const [status, setStatus] = useState<ServiceAgent['status']>(existing?.status ?? 'active');
  const [values, setValues] = useState<Record<string, string>>(() => initialValues(fields, existing?.config));
  const [customJson, setCustomJson] = useState(() => (existing && !provider ? JSON.stringify(withoutMasked(existing.config), null, 2) : '{}'));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (name.trim() === '') errs.name = t('serviceAgents.errName');
    let config: Record<string, unknown> = {};
    if (provider) {
      const built = buildConfig(fields, values, editing);
      for (const [k, p] of Object.entries(built.problems)) errs[`config.${k}`] = t(p.key, p.vars);
      config = built.config;
    } else {
      const parsed = parseCustomConfig(customJson);
      if (parsed.problem) errs.config = parsed.problem.startsWith('validation.') ? validationText(parsed.problem) : t(parsed.problem);
      else config = parsed.config ?? {};
    }
    setErrors(errs);
    if (Object.keys(errs).length) return;
    const body: ServiceAgentInput = {
      name: name.trim(),
      category,
      description: description.trim() === '' ? (editing ? null : undefined) : description,
      config,
    };
    if (!editing) body.type = type;
    else body.status = status;
    setBusy(true);
    setError(null);
    try {
      const saved = editing ? await updateServiceAgent(existing!.id, body) : await createServiceAgent(body);
      onSaved(saved);
    } catch (err) {
      if (err instanceof ApiError && err.fields) {
        const byField = fieldErrorsFromApi(err.fields);
        const mapped: Record<string, string> = {};
        for (const [k, v] of Object.entries(byField)) mapped[fields.some((f) => f.name === k) ? `config.${k}` : k] = validationText(v);
        setErrors(mapped);
      }
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  const title = editing
    ? t('serviceAgents.editTitle', { name: existing!.name })
    : t('serviceAgents.createTitle', { provider: provider?.displayName ?? t('serviceAgents.custom') });

  return (
    <Dialog title={title} onClose={onClose} size="lg">
      <form className="pg-form pg-form-wide" onSubmit={submit} noValidate>
        {provider?.description && <p className="pg-muted">{provider.description}</p>}
        <div className="pg-grid2">
          <Field label={t('serviceAgents.name')} error={errors.name}>
            <input type="text" value={name} maxLength={100} required onChange={(e) => setName(e.target.value)} />
          </Field>
          <Field label={t('serviceAgents.category')} error={errors.category}>
            <select value={category} onChange={(e) => setCategory(e.target.value as ServiceAgentCategory)}>
              {SERVICE_AGENT_CATEGORIES.map((c) => (
                <option key={c} value={c}>
                  {t(`serviceAgents.cat_${c}`)}
                </option>
              ))}
            </select>
          </Field>
          {editing && (
            <Field label={t('serviceAgents.status')}>
              <select value={status} onChange={(e) => setStatus(e.target.value as ServiceAgent['status'])}>
                {(['active', 'inactive', 'error'] as const).map((s) => (
                  <option key={s} value={s}>
                    {t(`serviceAgents.status_${s}`)}
                  </option>
                ))}
              </select>
            </Field>
          )}
        </div>
        <Field label={t('serviceAgents.description')} error={errors.description}>
          <textarea value={description} maxLength={1000} rows={2} onChange={(e) => setDescription(e.target.value)} />
        </Field>
        <fieldset>
          <legend>{t('serviceAgents.config')}</legend>
          {editing && <p className="pg-muted">{t('serviceAgents.editConfigHint')}</p>}
          {provider ? (
            <div className="pg-grid2">
              {fields.map((f) => (
                <ConfigInput key={f.name} field={f} value={values[f.name] ?? ''} editing={editing} error={errors[`config.${f.name}`]} onChange={(v) => setValues((s) => ({ ...s, [f.name]: v }))} />
              ))}
            </div>
          ) : (
            <Field label={t('serviceAgents.customConfig')} error={errors.config} hint={editing ? t('serviceAgents.customConfigEditHint') : t('serviceAgents.customConfigHint')}>
              <textarea value={customJson} rows={8} spellCheck={false} onChange={(e) => setCustomJson(e.target.value)} />
            </Field>
          )}
        </fieldset>
        <FormActions submitLabel={editing ? t('serviceAgents.save') : t('serviceAgents.create')} busy={busy} error={error} onCancel={onClose} />
      </form>
    </Dialog>
  );
}

/** A human label for a config key: `similarityBoost` → "Similarity boost", translated when known. */
function configLabel(name: string, t: (k: string) => string): string {
  const key = `serviceAgents.cfg_${name}`;
  const known = t(key);
  if (known !== key) return known;
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function ConfigInput({ field, value, editing, error, onChange }: { field: ConfigField; value: string; editing: boolean; error?: string; onChange: (v: string) => void }) {
  const t = useT();
  const label = configLabel(field.name, t) + (field.required && !editing ? ` (${t('serviceAgents.required')})` : '');
  const hints: string[] = [];
  if (field.min !== undefined || field.max !== undefined) hints.push(t('serviceAgents.rangeHint', { min: field.min ?? '—', max: field.max ?? '—' }));
  if (field.defaultValue !== undefined && field.kind !== 'secret') hints.push(t('serviceAgents.defaultHint', { value: field.defaultValue }));
  if (field.kind === 'secret' && editing) hints.push(t('serviceAgents.secretKeep'));
  if (field.kind === 'list') hints.push(t('serviceAgents.listHint'));
  const hint = hints.join(' · ') || undefined;
  if (field.kind === 'boolean') {
    return (
      <label className="pg-check">
        <input type="checkbox" checked={value === 'true'} onChange={(e) => onChange(e.target.checked ? 'true' : 'false')} />
        {label}
      </label>
    );
  }
  let control;
  switch (field.kind) {
    case 'select':
      control = (
        <select value={value} onChange={(e) => onChange(e.target.value)}>
          {!field.required && <option value="">{t('serviceAgents.none')}</option>}
          {field.required && value === '' && <option value="">{t('serviceAgents.choose')}</option>}
          {(field.options ?? []).map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
      break;
    case 'textarea':
    case 'list':
      control = <textarea value={value} rows={field.kind === 'list' ? 3 : 4} maxLength={field.maxLength} onChange={(e) => onChange(e.target.value)} />;
      break;
    case 'number':
    case 'integer':
      control = (
        <input type="number" inputMode={field.kind === 'integer' ? 'numeric' : 'decimal'} step={field.kind === 'integer' ? 1 : 'any'} min={field.min} max={field.max} value={value} onChange={(e) => onChange(e.target.value)} />
      );
      break;
    case 'secret':
      control = <input type="password" autoComplete="new-password" value={value} placeholder={editing ? t('serviceAgents.secretPlaceholder') : undefined} onChange={(e) => onChange(e.target.value)} />;
      break;
    default:
      control = <input type={field.kind === 'url' ? 'url' : 'text'} value={value} maxLength={field.maxLength} onChange={(e) => onChange(e.target.value)} />;
  }
  return (
    <Field label={label} hint={hint} error={error}>
      {control}
    </Field>
  );
}
