// The credentials a gateway keeps per agent type, managed remotely through the hub's relay
// (websocket.md §16.2–16.3): list, add an API key, sign in with a subscription (the gateway
// sends an auth URL; paste the callback URL unless it completes by itself), set default,
// rename, delete. Every wait on the gateway ends after 30 s.
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useT } from '../../i18n';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { toast } from '../../components/Toast';
import { on, send } from '../../realtime/socket';
import { type AgentType, type Gateway } from '../../api/agents';
import { dateTime } from '../common/format';
import { parseCredentialList, safeHttpUrl, type CredentialInfo } from './agentView';
import { GATEWAY_TIMEOUT_MS, usePendingTimer } from './useTimeout';
import { FormActions } from '../common/FormActions';
import { AgentTypeField } from './AgentTypeField';

type OAuthState =
  | { step: 'idle' }
  | { step: 'waiting-url' }
  | { step: 'url'; requestId: string; authUrl: string | null; autoCallback: boolean }
  | { step: 'waiting-result' };

export function CredentialsPanel({ gateway, online }: { gateway: Gateway; online: boolean }) {
  const t = useT();
  const [agentType, setAgentType] = useState<AgentType>('claude-code');
  const [list, setList] = useState<CredentialInfo[] | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pendingAction, setPendingActionState] = useState(false);
  const pendingRef = useRef(false);
  const setPendingAction = useCallback((v: boolean) => {
    pendingRef.current = v;
    setPendingActionState(v);
  }, []);
  const [renaming, setRenaming] = useState<CredentialInfo | null>(null);
  const [newName, setNewName] = useState('');
  const [deleting, setDeleting] = useState<CredentialInfo | null>(null);
  const [keyForm, setKeyForm] = useState({ name: '', apiKey: '', baseUrl: '', model: '' });
  const [oauthName, setOauthName] = useState('');
  const [oauth, setOauth] = useState<OAuthState>({ step: 'idle' });
  const [callbackUrl, setCallbackUrl] = useState('');
  const listTimer = usePendingTimer();
  const actionTimer = usePendingTimer();
  const oauthTimer = usePendingTimer();

  const fail = useCallback((text: string) => {
    setError(text);
    setStatus(null);
  }, []);

  const refresh = useCallback(() => {
    setError(null);
    if (!send({ type: 'client:list_gateway_credentials', gatewayId: gateway.id, agentType }, false)) return fail(t('agents.notConnected'));
    listTimer.start(GATEWAY_TIMEOUT_MS, () => fail(t('agents.gatewayTimeout', { s: GATEWAY_TIMEOUT_MS / 1000 })));
  }, [gateway.id, agentType, fail, listTimer, t]);

  useEffect(() => {
    setList(null);
    if (online) refresh();
  }, [refresh, online]);

  useEffect(() => {
    const offs = [
      on('server:gateway_credential_list', (f) => {
        const parsed = parseCredentialList(f);
        if (!parsed || parsed.gatewayId !== gateway.id || parsed.agentType !== agentType) return;
        listTimer.clear();
        setList(parsed.credentials);
      }),
      // Results carry no gatewayId: take the one we are waiting for.
      on('server:gateway_credential_result', (f: { success?: boolean; error?: string; credential?: { name?: string } }) => {
        if (!pendingRef.current) return;
        setPendingAction(false);
        actionTimer.clear();
        if (f.success) {
          setStatus(t('agents.credentialDone'));
          setError(null);
          refresh();
        } else fail(f.error || t('agents.credentialFailed'));
      }),
      on('server:gateway_oauth_url', (f: { gatewayId?: string; requestId?: string; authUrl?: string; autoCallback?: boolean }) => {
        if (f.gatewayId !== gateway.id || typeof f.requestId !== 'string') return;
        oauthTimer.clear();
        setOauth({ step: 'url', requestId: f.requestId, authUrl: safeHttpUrl(f.authUrl), autoCallback: !!f.autoCallback });
        // The gateway's own login process waits up to 5 minutes for the person.
        oauthTimer.start(5 * 60_000, () => {
          setOauth({ step: 'idle' });
          fail(t('agents.oauthExpired'));
        });
      }),
      on('server:gateway_oauth_result', (f: { gatewayId?: string; success?: boolean; error?: string; credential?: { name?: string } }) => {
        if (f.gatewayId !== gateway.id) return;
        oauthTimer.clear();
        setOauth({ step: 'idle' });
        setCallbackUrl('');
        if (f.success) {
          toast(t('agents.oauthDone', { name: f.credential?.name ?? oauthName }), 'success');
          setOauthName('');
          refresh();
        } else fail(f.error || t('agents.oauthFailed'));
      }),
      on('server:error', (f: { code?: string; message?: string }) => {
        if (f.code !== 'GATEWAY_OFFLINE' && f.code !== 'INVALID_REQUEST') return;
        listTimer.clear();
        actionTimer.clear();
        oauthTimer.clear();
        setPendingAction(false);
        setOauth({ step: 'idle' });
        fail(f.code === 'GATEWAY_OFFLINE' ? t('agents.gatewayOffline') : f.message || t('agents.credentialFailed'));
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [gateway.id, agentType, refresh, fail, listTimer, actionTimer, oauthTimer, oauthName, setPendingAction, t]);

  function relay(frame: { type: string; [k: string]: unknown }) {
    setError(null);
    setStatus(t('agents.waitingGateway'));
    if (!send(frame, false)) return fail(t('agents.notConnected'));
    setPendingAction(true);
    actionTimer.start(GATEWAY_TIMEOUT_MS, () => {
      setPendingAction(false);
      fail(t('agents.gatewayTimeout', { s: GATEWAY_TIMEOUT_MS / 1000 }));
    });
  }

  const manage = (c: CredentialInfo, action: 'rename' | 'delete' | 'set_default', name?: string) =>
    relay({ type: 'client:manage_gateway_credential', gatewayId: gateway.id, agentType, credentialId: c.id, action, ...(name ? { name } : {}) });

  function addKey(e: FormEvent) {
    e.preventDefault();
    if (keyForm.name.trim() === '' || keyForm.apiKey.trim() === '') return fail(t('agents.errKeyForm'));
    relay({
      type: 'client:add_gateway_credential',
      gatewayId: gateway.id,
      agentType,
      name: keyForm.name.trim(),
      mode: 'api',
      apiKey: keyForm.apiKey.trim(),
      ...(keyForm.baseUrl.trim() ? { baseUrl: keyForm.baseUrl.trim() } : {}),
      ...(keyForm.model.trim() ? { model: keyForm.model.trim() } : {}),
    });
    setKeyForm({ name: '', apiKey: '', baseUrl: '', model: '' });
  }

  function startOAuth(e: FormEvent) {
    e.preventDefault();
    if (oauthName.trim() === '') return fail(t('agents.errCredentialName'));
    setError(null);
    if (!send({ type: 'client:start_gateway_oauth', gatewayId: gateway.id, agentType, credentialName: oauthName.trim() }, false)) return fail(t('agents.notConnected'));
    setOauth({ step: 'waiting-url' });
    oauthTimer.start(GATEWAY_TIMEOUT_MS, () => {
      setOauth({ step: 'idle' });
      fail(t('agents.gatewayTimeout', { s: GATEWAY_TIMEOUT_MS / 1000 }));
    });
  }

  function completeOAuth(e: FormEvent) {
    e.preventDefault();
    if (oauth.step !== 'url') return;
    if (callbackUrl.trim() === '') return fail(t('agents.errCallback'));
    send({ type: 'client:complete_gateway_oauth', gatewayId: gateway.id, requestId: oauth.requestId, callbackUrl: callbackUrl.trim() }, false);
    setOauth({ step: 'waiting-result' });
    oauthTimer.start(GATEWAY_TIMEOUT_MS, () => {
      setOauth({ step: 'idle' });
      fail(t('agents.gatewayTimeout', { s: GATEWAY_TIMEOUT_MS / 1000 }));
    });
  }

  const panelId = `cred-${gateway.id}`;
  return (
    <section className="pg-section" style={{ marginTop: 8 }} aria-labelledby={`${panelId}-title`}>
      <h4 id={`${panelId}-title`} style={{ margin: '0 0 8px' }}>
        {t('agents.credentialsOf', { gateway: gateway.name || gateway.hostname })}
      </h4>
      {!online && <p className="pg-muted">{t('agents.credentialsOffline')}</p>}
      <div className="pg-row">
        <AgentTypeField value={agentType} onChange={setAgentType} />
        <Button size="sm" onClick={refresh} disabled={!online}>
          {t('agents.reloadCredentials')}
        </Button>
      </div>
      <div aria-live="polite">
        {status && <p className="pg-muted">{status}</p>}
        {error && (
          <p className="pg-error" role="alert">
            {error}
          </p>
        )}
      </div>
      {online && list === null && !error && <p className="pg-muted">{t('agents.waitingGateway')}</p>}
      {list && list.length === 0 && <p className="pg-muted">{t('agents.noCredentials')}</p>}
      {list && list.length > 0 && (
        <div className="pg-table-wrap">
          <table className="pg-table pg-table-stack">
            <caption className="sr-only">{t('agents.credentialsOf', { gateway: gateway.name || gateway.hostname })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('agents.credentialName')}</th>
                <th scope="col">{t('agents.mode')}</th>
                <th scope="col">{t('agents.details')}</th>
                <th scope="col">{t('agents.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((c) => (
                <tr key={c.id}>
                  <td data-label={t('agents.credentialName')}>
                    {c.name}
                    {c.isDefault && <span className="pg-badge"> {t('agents.default')}</span>}
                  </td>
                  <td data-label={t('agents.mode')}>{t(`agents.mode_${c.mode}`)}</td>
                  <td data-label={t('agents.details')}>
                    {[c.model, c.baseUrl, c.createdAt ? dateTime(c.createdAt) : ''].filter(Boolean).join(' · ')}
                  </td>
                  <td data-label={t('agents.actions')}>
                    <div className="pg-actions">
                      {!c.isDefault && (
                        <Button size="sm" disabled={pendingAction} aria-label={t('agents.setDefaultNamed', { name: c.name })} onClick={() => manage(c, 'set_default')}>
                          {t('agents.setDefault')}
                        </Button>
                      )}
                      <Button
                        size="sm"
                        disabled={pendingAction}
                        aria-label={t('agents.renameCredentialNamed', { name: c.name })}
                        onClick={() => {
                          setRenaming(c);
                          setNewName(c.name);
                        }}
                      >
                        {t('agents.rename')}
                      </Button>
                      <Button size="sm" variant="danger" disabled={pendingAction} aria-label={t('agents.deleteCredentialNamed', { name: c.name })} onClick={() => setDeleting(c)}>
                        {t('common.delete')}
                      </Button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {renaming && (
        <form
          className="pg-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (newName.trim() === '') return fail(t('agents.errCredentialName'));
            manage(renaming, 'rename', newName.trim());
            setRenaming(null);
          }}
        >
          <Field label={t('agents.newCredentialName', { name: renaming.name })}>
            <input type="text" value={newName} maxLength={100} onChange={(e) => setNewName(e.target.value)} />
          </Field>
          <FormActions submitLabel={t('agents.saveName')} onCancel={() => setRenaming(null)} size="sm" />
        </form>
      )}
      {online && (
        <div className="pg-grid2" style={{ marginTop: 12 }}>
          <form className="pg-form" onSubmit={addKey} aria-labelledby={`${panelId}-key`}>
            <h5 id={`${panelId}-key`} style={{ margin: 0, fontSize: '0.95rem' }}>
              {t('agents.addApiKey')}
            </h5>
            <Field label={t('agents.credentialName')}>
              <input type="text" value={keyForm.name} maxLength={100} onChange={(e) => setKeyForm((f) => ({ ...f, name: e.target.value }))} />
            </Field>
            <Field label={t('agents.apiKey')}>
              <input type="password" autoComplete="off" value={keyForm.apiKey} maxLength={2000} onChange={(e) => setKeyForm((f) => ({ ...f, apiKey: e.target.value }))} />
            </Field>
            <Field label={t('agents.baseUrlOptional')}>
              <input type="url" value={keyForm.baseUrl} maxLength={500} onChange={(e) => setKeyForm((f) => ({ ...f, baseUrl: e.target.value }))} />
            </Field>
            <Field label={t('agents.modelOptional')}>
              <input type="text" value={keyForm.model} maxLength={200} onChange={(e) => setKeyForm((f) => ({ ...f, model: e.target.value }))} />
            </Field>
            <div>
              <Button type="submit" size="sm" variant="primary" disabled={pendingAction}>
                {t('agents.saveApiKey')}
              </Button>
            </div>
          </form>
          <div className="pg-form">
            <h5 style={{ margin: 0, fontSize: '0.95rem' }}>{t('agents.subscriptionLogin')}</h5>
            {oauth.step === 'idle' && (
              <form className="pg-form" onSubmit={startOAuth}>
                <Field label={t('agents.credentialName')} hint={t('agents.subscriptionHint')}>
                  <input type="text" value={oauthName} maxLength={100} onChange={(e) => setOauthName(e.target.value)} />
                </Field>
                <div>
                  <Button type="submit" size="sm" variant="primary">
                    {t('agents.startLogin')}
                  </Button>
                </div>
              </form>
            )}
            {oauth.step === 'waiting-url' && (
              <p role="status" className="pg-muted">
                {t('agents.waitingAuthUrl')}
              </p>
            )}
            {oauth.step === 'url' && (
              <form className="pg-form" onSubmit={completeOAuth}>
                {oauth.authUrl ? (
                  <p>
                    {t('agents.openAuthUrl')}{' '}
                    <a href={oauth.authUrl} target="_blank" rel="noopener noreferrer">
                      {t('agents.authLink')}
                    </a>
                    <br />
                    <span className="pg-code">{oauth.authUrl}</span>
                  </p>
                ) : (
                  <p className="pg-error">{t('agents.badAuthUrl')}</p>
                )}
                {oauth.autoCallback ? (
                  <p role="status" className="pg-muted">
                    {t('agents.autoCallback')}
                  </p>
                ) : (
                  <>
                    <Field label={t('agents.callbackUrl')} hint={t('agents.callbackHint')}>
                      <input type="url" value={callbackUrl} maxLength={4096} onChange={(e) => setCallbackUrl(e.target.value)} />
                    </Field>
                    <div>
                      <Button type="submit" size="sm" variant="primary">
                        {t('agents.completeLogin')}
                      </Button>
                    </div>
                  </>
                )}
              </form>
            )}
            {oauth.step === 'waiting-result' && (
              <p role="status" className="pg-muted">
                {t('agents.waitingGateway')}
              </p>
            )}
          </div>
        </div>
      )}
      {deleting && (
        <ConfirmDialog
          title={t('agents.deleteCredentialTitle')}
          message={t('agents.deleteCredentialConfirm', { name: deleting.name })}
          confirmLabel={t('agents.deleteCredentialNamed', { name: deleting.name })}
          danger
          onClose={() => setDeleting(null)}
          onConfirm={() => manage(deleting, 'delete')}
        />
      )}
    </section>
  );
}
