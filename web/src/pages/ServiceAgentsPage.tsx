// /service-agents (admin): server-side bots backed by third-party APIs. The provider catalogue
// grouped by category; a form generated from each provider's config schema; create, edit,
// validate and delete (http-api.md §14).
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useT } from '../i18n';
import { Button } from '../components/Button';
import { ConfirmDialog } from '../components/Dialog';
import { Spinner } from '../components/Spinner';
import { toast } from '../components/Toast';
import {
  deleteServiceAgent,
  getServiceAgent,
  listProviders,
  listServiceAgents,
  SERVICE_AGENT_CATEGORIES,
  validateServiceAgent,
  type Provider,
  type ServiceAgent,
} from '../api/serviceAgents';
import { groupProviders } from './admin/serviceAgentForm';
import { ServiceAgentDialog } from './admin/ServiceAgentDialog';
import { errorText } from './common/errors';
import { dateTime } from './common/format';
import { usePageStyles } from './common/usePageStyles';
import { toasted } from './common/toasted';
import { LoadError } from './common/LoadError';

type Editing = { provider: Provider | null; type: string; existing?: ServiceAgent };

export default function ServiceAgentsPage() {
  usePageStyles();
  const t = useT();
  const [providers, setProviders] = useState<Provider[] | null>(null);
  const [agents, setAgents] = useState<ServiceAgent[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [deleting, setDeleting] = useState<ServiceAgent | null>(null);
  const [validation, setValidation] = useState<Record<string, { ok: boolean; text: string } | 'busy'>>({});

  const load = useCallback(async () => {
    setError(null);
    try {
      const [p, a] = await Promise.all([listProviders(), listServiceAgents()]);
      setProviders(p);
      setAgents(a);
    } catch (e) {
      setError(errorText(e));
    }
  }, []);
  useEffect(() => void load(), [load]);

  const groups = useMemo(() => groupProviders(providers ?? [], SERVICE_AGENT_CATEGORIES), [providers]);
  const providerOf = (type: string) => providers?.find((p) => p.type === type) ?? null;

  async function edit(agent: ServiceAgent) {
    try {
      const full = await getServiceAgent(agent.id);
      setEditing({ provider: providerOf(full.type), type: full.type, existing: full });
    } catch (e) {
      toast(errorText(e), 'error');
    }
  }

  async function validate(agent: ServiceAgent) {
    setValidation((v) => ({ ...v, [agent.id]: 'busy' }));
    try {
      const r = await validateServiceAgent(agent.id);
      const text = r.valid ? r.message ?? t('serviceAgents.valid') : r.error ?? t('serviceAgents.invalid');
      setValidation((v) => ({ ...v, [agent.id]: { ok: r.valid, text } }));
    } catch (e) {
      setValidation((v) => ({ ...v, [agent.id]: { ok: false, text: errorText(e) } }));
    }
  }

  return (
    <section className="pg" aria-labelledby="sa-title">
      <div className="pg-head">
        <h1 id="sa-title">{t('serviceAgents.title')}</h1>
      </div>
      <p className="pg-muted">{t('serviceAgents.intro')}</p>
      <LoadError error={error} onRetry={() => void load()} />
      {!agents && !error && <Spinner />}
      {agents && (
        <section className="pg-section" aria-labelledby="sa-mine">
          <h2 id="sa-mine">{t('serviceAgents.configured', { n: agents.length })}</h2>
          {agents.length === 0 ? (
            <p className="pg-muted">{t('serviceAgents.none_yet')}</p>
          ) : (
            <ul className="pg-list">
              {agents.map((a) => {
                const v = validation[a.id];
                return (
                  <li key={a.id} className="pg-card">
                    <div className="pg-card-head">
                      <h3>{a.name}</h3>
                      <span className="pg-badge">{t(`serviceAgents.status_${a.status}`)}</span>
                    </div>
                    <dl className="pg-dl">
                      <dt>{t('serviceAgents.provider')}</dt>
                      <dd>{providerOf(a.type)?.displayName ?? a.type}</dd>
                      <dt>{t('serviceAgents.category')}</dt>
                      <dd>{t(`serviceAgents.cat_${a.category}`)}</dd>
                      {a.description && (
                        <>
                          <dt>{t('serviceAgents.description')}</dt>
                          <dd>{a.description}</dd>
                        </>
                      )}
                      <dt>{t('serviceAgents.updated')}</dt>
                      <dd>{dateTime(a.updatedAt)}</dd>
                    </dl>
                    {v && v !== 'busy' && (
                      <p className={v.ok ? 'pg-ok' : 'pg-error'} role="status">
                        {v.ok ? '✓ ' : '✗ '}
                        {v.text}
                      </p>
                    )}
                    <div className="pg-actions">
                      <Button size="sm" aria-label={t('serviceAgents.editNamed', { name: a.name })} onClick={() => void edit(a)}>
                        {t('common.edit')}
                      </Button>
                      <Button size="sm" busy={v === 'busy'} aria-label={t('serviceAgents.validateNamed', { name: a.name })} onClick={() => void validate(a)}>
                        {t('serviceAgents.validate')}
                      </Button>
                      <Button size="sm" variant="danger" aria-label={t('serviceAgents.deleteNamed', { name: a.name })} onClick={() => setDeleting(a)}>
                        {t('common.delete')}
                      </Button>
                    </div>
                  </li>
                );
              })}
            </ul>
          )}
        </section>
      )}
      {providers && (
        <section className="pg-section" aria-labelledby="sa-catalogue">
          <h2 id="sa-catalogue">{t('serviceAgents.catalogue')}</h2>
          <div className="pg-provider-groups">
          {groups.map((g) => (
            <section key={g.category} className="pg-provider-group" aria-labelledby={`sa-cat-${g.category}`}>
              <h3 id={`sa-cat-${g.category}`}>{t(`serviceAgents.cat_${g.category}`)}</h3>
              <ul className="pg-provider-list">
                {g.providers.map((p) => (
                  <li key={p.type} className="pg-card">
                    <strong>{p.displayName}</strong>
                    <p className="pg-muted" style={{ margin: '4px 0 8px' }}>
                      {p.description}
                    </p>
                    <Button size="sm" variant="primary" aria-label={t('serviceAgents.addNamed', { provider: p.displayName })} onClick={() => setEditing({ provider: p, type: p.type })}>
                      {t('serviceAgents.add')}
                    </Button>
                  </li>
                ))}
              </ul>
            </section>
          ))}
          <section className="pg-provider-group" aria-labelledby="sa-cat-custom">
            <h3 id="sa-cat-custom">{t('serviceAgents.custom')}</h3>
            <p className="pg-muted">{t('serviceAgents.customIntro')}</p>
            <Button size="sm" aria-label={t('serviceAgents.addNamed', { provider: t('serviceAgents.custom') })} onClick={() => setEditing({ provider: null, type: 'custom' })}>
              {t('serviceAgents.add')}
            </Button>
          </section>
          </div>
        </section>
      )}
      {editing && (
        <ServiceAgentDialog
          provider={editing.provider}
          type={editing.type}
          existing={editing.existing}
          onClose={() => setEditing(null)}
          onSaved={(saved) => {
            const was = editing.existing;
            setEditing(null);
            setAgents((list) => (was ? (list ?? []).map((x) => (x.id === saved.id ? saved : x)) : [...(list ?? []), saved]));
            toast(t(was ? 'serviceAgents.saved' : 'serviceAgents.createdToast', { name: saved.name }), 'success');
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={t('serviceAgents.deleteTitle')}
          message={t('serviceAgents.deleteConfirm', { name: deleting.name })}
          confirmLabel={t('serviceAgents.deleteNamed', { name: deleting.name })}
          danger
          onClose={() => setDeleting(null)}
          onConfirm={() =>
            toasted(async () => {
              await deleteServiceAgent(deleting.id);
              setAgents((list) => (list ?? []).filter((x) => x.id !== deleting.id));
            }, t('serviceAgents.deleted', { name: deleting.name }))
          }
        />
      )}
    </section>
  );
}
