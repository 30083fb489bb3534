// /admin/settings (admin): the hub's runtime settings in their eight groups — toggles, choices,
// numbers and masked secrets — with where each value comes from (db / env / default), saved one
// group at a time with only the edited keys (http-api.md §13).
import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { t as translate, useT } from '../i18n';
import { Button } from '../components/Button';
import { Spinner } from '../components/Spinner';
import { toast } from '../components/Toast';
import { getAdminSettings, saveAdminSettings, SETTING_GROUPS, type SettingItem, type SettingsGroups } from '../api/settings';
import { checkSetting, groupChanges, initialInputValue, labelName, type SettingProblem } from './admin/settingsForm';
import { errorText } from './common/errors';
import { usePageStyles } from './common/usePageStyles';
import { LoadError } from './common/LoadError';

export default function AdminSettingsPage() {
  usePageStyles();
  const t = useT();
  const [groups, setGroups] = useState<SettingsGroups | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      setGroups(await getAdminSettings());
    } catch (e) {
      setError(errorText(e));
    }
  }, []);
  useEffect(() => void load(), [load]);

  const order = useMemo(() => {
    if (!groups) return [];
    const known: string[] = [...SETTING_GROUPS];
    return [...known.filter((g) => groups[g]), ...Object.keys(groups).filter((g) => !known.includes(g))];
  }, [groups]);

  return (
    <section className="pg" aria-labelledby="adm-settings-title">
      <div className="pg-head">
        <h1 id="adm-settings-title">{t('admin.settingsTitle')}</h1>
      </div>
      <p className="pg-muted">{t('admin.settingsIntro')}</p>
      <LoadError error={error} onRetry={() => void load()} />
      {!groups && !error && <Spinner />}
      {groups && (
        <nav className="pg-tabs" aria-label={t('admin.settingsGroups')}>
          {order.map((g) => (
            <a key={g} className="btn btn-ghost btn-sm" href={`#group-${g}`}>
              {groupTitle(g)}
            </a>
          ))}
        </nav>
      )}
      {groups && order.map((g) => <SettingsGroup key={g} name={g} items={groups[g]} onSaved={load} />)}
    </section>
  );
}

/** Called during render of components that use useT, so a language change re-renders it. */
function groupTitle(name: string): string {
  const key = `admin.group_${name}`;
  const text = translate(key);
  return text === key ? name : text;
}

function problemText(p: SettingProblem, t: (k: string, v?: Record<string, string | number>) => string): string {
  switch (p.kind) {
    case 'min':
      return t('admin.errMinimum', { n: p.min });
    case 'max':
      return t('admin.errMaximum', { n: p.max });
    case 'enum':
      return t('admin.errOneOf', { values: p.values.join(', ') });
    default:
      return t(`admin.err_${p.kind}`);
  }
}

function SettingsGroup({ name, items, onSaved }: { name: string; items: SettingItem[]; onSaved: () => Promise<void> }) {
  const t = useT();
  const start = () => Object.fromEntries(items.map((i) => [i.key, initialInputValue(i)]));
  const [inputs, setInputs] = useState<Record<string, string>>(start);
  const [clear, setClear] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // A reload after another group's save hands us equal items: keep what is being typed here.
  // (Compared field by field: the hub's JSON key order is not stable.)
  const itemsKey = items.map((i) => [i.key, i.value, i.source, i.type].join('\u0000')).join('\u0001');
  useEffect(() => {
    setInputs(start());
    setClear(new Set());
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [itemsKey]);

  const changes = groupChanges(items, inputs, clear);
  const problems: Record<string, SettingProblem> = {};
  for (const key of Object.keys(changes)) {
    const item = items.find((i) => i.key === key)!;
    const p = item.sensitive && changes[key] === '' ? null : checkSetting(item, changes[key]);
    if (p) problems[key] = p;
  }
  const dirty = Object.keys(changes).length > 0;
  const title = groupTitle(name);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!dirty || Object.keys(problems).length) return;
    setBusy(true);
    setError(null);
    try {
      const r = await saveAdminSettings(changes);
      toast(t('admin.settingsSaved', { group: title, n: r.updated?.length ?? Object.keys(changes).length }), 'success');
      await onSaved();
    } catch (err) {
      // Keys that passed are saved even when others fail (§13.2): reload to show what stuck.
      setError(errorText(err));
      await onSaved();
    } finally {
      setBusy(false);
    }
  }

  return (
    <form id={`group-${name}`} className="pg-section" onSubmit={submit} aria-labelledby={`group-title-${name}`}>
      <div className="pg-head">
        <h2 id={`group-title-${name}`}>{title}</h2>
        <div className="pg-actions">
          {dirty && <span className="pg-muted">{t('admin.unsaved', { n: Object.keys(changes).length })}</span>}
          <Button
            onClick={() => {
              setInputs(start());
              setClear(new Set());
              setError(null);
            }}
            disabled={!dirty || busy}
          >
            {t('admin.resetGroup')}
          </Button>
          <Button type="submit" variant="primary" busy={busy} disabled={!dirty || Object.keys(problems).length > 0}>
            {t('admin.saveGroup', { group: title })}
          </Button>
        </div>
      </div>
      {error && (
        <p className="pg-error" role="alert">
          {error}
        </p>
      )}
      {items.map((item) => (
        <SettingRow
          key={item.key}
          item={item}
          value={inputs[item.key] ?? ''}
          cleared={clear.has(item.key)}
          problem={problems[item.key] ? problemText(problems[item.key], t) : null}
          onChange={(v) => setInputs((s) => ({ ...s, [item.key]: v }))}
          onClear={(on) =>
            setClear((s) => {
              const n = new Set(s);
              if (on) n.add(item.key);
              else n.delete(item.key);
              return n;
            })
          }
        />
      ))}
    </form>
  );
}

function SettingRow({
  item,
  value,
  cleared,
  problem,
  onChange,
  onClear,
}: {
  item: SettingItem;
  value: string;
  cleared: boolean;
  problem: string | null;
  onChange: (v: string) => void;
  onClear: (on: boolean) => void;
}) {
  const t = useT();
  const name = labelName(item.labelKey);
  const labelKey = `admin.setting_${name}`;
  const descKey = `admin.setting_${name}Desc`;
  const label = t(labelKey) === labelKey ? item.key : t(labelKey);
  const desc = t(descKey) === descKey ? '' : t(descKey);
  const id = `setting-${item.key.replace(/[^a-zA-Z0-9]/g, '-')}`;
  const describedBy = `${id}-desc ${id}-src${problem ? ` ${id}-err` : ''}`;

  let control;
  if (item.type === 'boolean') {
    control = (
      <label className="pg-check">
        <input id={id} type="checkbox" role="switch" checked={value === 'true'} aria-describedby={describedBy} onChange={(e) => onChange(e.target.checked ? 'true' : 'false')} />
        <span>{label}</span>
      </label>
    );
  } else if (item.type === 'enum') {
    control = (
      <select id={id} value={value} aria-describedby={describedBy} onChange={(e) => onChange(e.target.value)}>
        {!(item.enumValues ?? []).includes(value) && <option value={value}>{value}</option>}
        {(item.enumValues ?? []).map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    );
  } else if (item.sensitive) {
    control = (
      <>
        <input
          id={id}
          type="password"
          autoComplete="new-password"
          value={value}
          disabled={cleared}
          placeholder={item.value ? t('admin.secretKeep') : t('admin.secretEmpty')}
          aria-describedby={describedBy}
          aria-invalid={problem ? true : undefined}
          onChange={(e) => onChange(e.target.value)}
        />
        <div className="pg-row pg-muted">
          <span>{t('admin.secretCurrent')}</span> <span className="pg-code">{item.value || t('admin.secretNotSet')}</span>
          {item.value && item.source === 'db' && (
            <label className="pg-check">
              <input type="checkbox" checked={cleared} onChange={(e) => onClear(e.target.checked)} />
              {t('admin.secretClear', { name: label })}
            </label>
          )}
        </div>
      </>
    );
  } else {
    control = (
      <input
        id={id}
        type={item.type === 'number' ? 'number' : 'text'}
        inputMode={item.type === 'number' ? 'numeric' : undefined}
        min={item.min}
        max={item.max}
        value={value}
        aria-describedby={describedBy}
        aria-invalid={problem ? true : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }

  return (
    <div className="pg-setting">
      <div>
        {item.type === 'boolean' ? <strong>{label}</strong> : <label htmlFor={id}><strong>{label}</strong></label>}
        <div className="pg-muted" id={`${id}-desc`}>
          {desc}
          {desc ? ' ' : ''}
          <code>{item.key}</code>
          {item.type === 'number' && (item.min !== undefined || item.max !== undefined) && (
            <> · {t('admin.range', { min: item.min ?? '—', max: item.max ?? '—' })}</>
          )}
        </div>
      </div>
      <div>
        {control}
        <div id={`${id}-src`} className="pg-muted">
          <span className="pg-badge pg-source">{t(`admin.source_${item.source}`)}</span>
          {item.applies === 'restart' && (
            <>
              {' '}
              <span className="pg-badge pg-applies" title={t('admin.appliesRestartHint')}>
                {t('admin.appliesRestart')}
              </span>
            </>
          )}
        </div>
        {problem && (
          <div id={`${id}-err`} className="pg-error" role="alert">
            {problem}
          </div>
        )}
      </div>
    </div>
  );
}
