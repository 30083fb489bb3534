// "My routers": the LLM routing configs I can see; create, edit, test and delete the ones I own
// (admins manage all) — http-api.md §10.
import { useCallback, useEffect, useState } from 'react';
import { useT } from '../../i18n';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/Dialog';
import { toast } from '../../components/Toast';
import { deleteRouter, listRouters, testRouter, type Router } from '../../api/routers';
import type { SessionUser } from '../../stores/session';
import { errorText } from '../common/errors';
import { RouterDialog } from './RouterDialog';
import { toasted } from '../common/toasted';

export function RoutersSection({ user }: { user: SessionUser }) {
  const t = useT();
  const isAdmin = user.role === 'admin';
  const [routers, setRouters] = useState<Router[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Router | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Router | null>(null);
  const [tests, setTests] = useState<Record<string, { ok: boolean; text: string } | 'busy'>>({});

  const load = useCallback(async () => {
    try {
      setRouters(await listRouters());
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  }, []);
  useEffect(() => void load(), [load]);

  async function test(r: Router) {
    setTests((s) => ({ ...s, [r.id]: 'busy' }));
    try {
      const res = await testRouter(r.id);
      setTests((s) => ({ ...s, [r.id]: res.success ? { ok: true, text: t('settings.testOk') } : { ok: false, text: t('settings.testFailed', { error: res.error ?? '' }) } }));
    } catch (e) {
      setTests((s) => ({ ...s, [r.id]: { ok: false, text: errorText(e) } }));
    }
  }

  const canManage = (r: Router) => isAdmin || r.createdById === user.id;

  return (
    <section className="pg-section" aria-labelledby="set-routers">
      <div className="pg-head">
        <h2 id="set-routers" style={{ margin: 0 }}>
          {t('settings.routers')}
        </h2>
        <Button variant="primary" onClick={() => setEditing('new')}>
          {t('settings.newRouter')}
        </Button>
      </div>
      <p className="pg-muted">{t('settings.routersIntro')}</p>
      {error && (
        <p className="pg-error" role="alert">
          {error}
        </p>
      )}
      {routers && routers.length === 0 && <p className="pg-muted">{t('settings.noRouters')}</p>}
      {routers && routers.length > 0 && (
        <ul className="pg-list">
          {routers.map((r) => {
            const res = tests[r.id];
            return (
              <li key={r.id} className="pg-card">
                <div className="pg-card-head">
                  <h3>{r.name}</h3>
                  <span className="pg-badge">{t(`settings.scope_${r.scope}`)}</span>
                </div>
                {r.description && <p style={{ margin: '4px 0', whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{r.description}</p>}
                <dl className="pg-dl">
                  <dt>{t('settings.llmBaseUrl')}</dt>
                  <dd>{r.llmBaseUrl}</dd>
                  <dt>{t('settings.llmModel')}</dt>
                  <dd>{r.llmModel}</dd>
                  <dt>{t('settings.llmApiKey')}</dt>
                  <dd>
                    <span className="pg-code">{r.llmApiKey}</span>
                  </dd>
                  <dt>{t('settings.maxChainDepth')}</dt>
                  <dd>{r.maxChainDepth}</dd>
                  <dt>{t('settings.rateLimit')}</dt>
                  <dd>{t('settings.rateLimitValue', { max: r.rateLimitMax, window: r.rateLimitWindow })}</dd>
                  {r.scope === 'global' && (
                    <>
                      <dt>{t('settings.routerVisibility')}</dt>
                      <dd>
                        {t(`settings.visibility_${r.visibility}`)}
                        {r.visibility !== 'all' && ` (${t('settings.userCount', { n: r.visibilityList.length })})`}
                      </dd>
                    </>
                  )}
                </dl>
                {res && res !== 'busy' && (
                  <p className={res.ok ? 'pg-ok' : 'pg-error'} role="status">
                    {res.text}
                  </p>
                )}
                <div className="pg-actions">
                  <Button size="sm" busy={res === 'busy'} aria-label={t('settings.testNamed', { name: r.name })} onClick={() => void test(r)}>
                    {t('settings.test')}
                  </Button>
                  {canManage(r) && (
                    <>
                      <Button size="sm" aria-label={t('settings.editNamed', { name: r.name })} onClick={() => setEditing(r)}>
                        {t('common.edit')}
                      </Button>
                      <Button size="sm" variant="danger" aria-label={t('settings.deleteNamed', { name: r.name })} onClick={() => setDeleting(r)}>
                        {t('common.delete')}
                      </Button>
                    </>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {editing && (
        <RouterDialog
          existing={editing === 'new' ? undefined : editing}
          isAdmin={isAdmin}
          onClose={() => setEditing(null)}
          onSaved={(saved) => {
            const wasNew = editing === 'new';
            setEditing(null);
            setRouters((list) => (wasNew ? [...(list ?? []), saved] : (list ?? []).map((x) => (x.id === saved.id ? saved : x))));
            toast(t(wasNew ? 'settings.routerCreated' : 'settings.routerSaved', { name: saved.name }), 'success');
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          title={t('settings.deleteRouterTitle')}
          message={t('settings.deleteRouterConfirm', { name: deleting.name })}
          confirmLabel={t('settings.deleteNamed', { name: deleting.name })}
          danger
          onClose={() => setDeleting(null)}
          onConfirm={() =>
            toasted(async () => {
              await deleteRouter(deleting.id);
              setRouters((list) => (list ?? []).filter((x) => x.id !== deleting.id));
            }, t('settings.routerDeleted', { name: deleting.name }))
          }
        />
      )}
    </section>
  );
}
