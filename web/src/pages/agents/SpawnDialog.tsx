// "Spawn agent" on a gateway: type, name, working directory, credential. POST /api/agents/spawn
// only forwards the request; the outcome arrives as server:spawn_result (websocket.md §16.1),
// which may ask to pick one of several credentials.
import { useEffect, useState, type FormEvent } from 'react';
import { useT } from '../../i18n';
import { FormActions } from '../common/FormActions';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { on, send } from '../../realtime/socket';
import { spawnAgent, type AgentType, type Gateway } from '../../api/agents';
import { errorText } from '../common/errors';
import { parseCredentialList, type CredentialInfo, type SpawnCredentialChoice } from './agentView';
import { GATEWAY_TIMEOUT_MS, usePendingTimer } from './useTimeout';
import { AgentTypeField } from './AgentTypeField';

export function SpawnDialog({ gateway, onClose, onSpawned }: { gateway: Gateway; onClose: () => void; onSpawned: (name: string) => void }) {
  const t = useT();
  const [agentType, setAgentType] = useState<AgentType>('claude-code');
  const [name, setName] = useState('');
  const [dir, setDir] = useState('');
  const [credentialId, setCredentialId] = useState('');
  const [credentials, setCredentials] = useState<(CredentialInfo | SpawnCredentialChoice)[]>([]);
  const [waiting, setWaiting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [needChoice, setNeedChoice] = useState(false);
  const timer = usePendingTimer();

  // Ask the gateway which credentials it has for this agent type.
  useEffect(() => {
    setCredentials([]);
    setCredentialId('');
    const off = on('server:gateway_credential_list', (f) => {
      const parsed = parseCredentialList(f);
      if (parsed && parsed.gatewayId === gateway.id && parsed.agentType === agentType) setCredentials(parsed.credentials);
    });
    send({ type: 'client:list_gateway_credentials', gatewayId: gateway.id, agentType }, false);
    return off;
  }, [gateway.id, agentType]);

  useEffect(
    () =>
      on('server:spawn_result', (f: { gatewayId?: string; success?: boolean; error?: string; credentials?: SpawnCredentialChoice[] }) => {
        if (f.gatewayId !== gateway.id) return;
        timer.clear();
        setWaiting(false);
        if (f.success) {
          onSpawned(name.trim());
          return;
        }
        if (f.error === 'CREDENTIAL_SELECTION_REQUIRED' && Array.isArray(f.credentials)) {
          setCredentials(f.credentials.filter((c) => c && typeof c.id === 'string' && typeof c.name === 'string'));
          setNeedChoice(true);
          setError(t('agents.chooseCredential'));
          return;
        }
        setError(typeof f.error === 'string' && f.error ? f.error : t('agents.spawnFailed'));
      }),
    [gateway.id, name, onSpawned, t, timer],
  );

  async function submit(e: FormEvent) {
    e.preventDefault();
    const n = name.trim();
    if (n === '' || n.length > 100) return setError(t('agents.errName'));
    if (needChoice && !credentialId) return setError(t('agents.chooseCredential'));
    setError(null);
    setWaiting(true);
    try {
      await spawnAgent({ gatewayId: gateway.id, agentType, name: n, ...(dir.trim() ? { workingDirectory: dir.trim() } : {}), ...(credentialId ? { credentialId } : {}) });
      timer.start(GATEWAY_TIMEOUT_MS, () => {
        setWaiting(false);
        setError(t('agents.gatewayTimeout', { s: GATEWAY_TIMEOUT_MS / 1000 }));
      });
    } catch (err) {
      setWaiting(false);
      setError(errorText(err));
    }
  }

  return (
    <Dialog title={t('agents.spawnTitle', { gateway: gateway.name || gateway.hostname })} onClose={onClose}>
      <form className="pg-form" onSubmit={submit} noValidate>
        <AgentTypeField value={agentType} onChange={setAgentType} />
        <Field label={t('agents.agentName')}>
          <input type="text" value={name} maxLength={100} required onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label={t('agents.workingDirectory')} hint={t('agents.workingDirectoryHint')}>
          <input type="text" value={dir} spellCheck={false} onChange={(e) => setDir(e.target.value)} />
        </Field>
        <Field label={t('agents.credential')} hint={credentials.length === 0 ? t('agents.credentialNone') : undefined}>
          <select value={credentialId} onChange={(e) => setCredentialId(e.target.value)}>
            <option value="">{t('agents.credentialDefault')}</option>
            {credentials.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} · {t(`agents.mode_${c.mode}`)}
                {c.isDefault ? ` · ${t('agents.default')}` : ''}
              </option>
            ))}
          </select>
        </Field>
        {waiting && (
          <p role="status" className="pg-muted">
            {t('agents.spawnWaiting')}
          </p>
        )}
        <FormActions submitLabel={t('agents.spawnSubmit')} busy={waiting} error={error} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
