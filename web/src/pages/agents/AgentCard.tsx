// One agent: what it is and where it runs, its slash commands, and — for my own agents — rename,
// sharing (private / everyone / chosen users) and delete.
import { useState, type FormEvent } from 'react';
import { useT } from '../../i18n';
import { Button } from '../../components/Button';
import { Field } from '../../components/Field';
import { toast } from '../../components/Toast';
import { updateAgent, type Agent, type AgentVisibility } from '../../api/agents';
import { errorText } from '../common/errors';
import { relativeTime, usd } from '../common/format';
import { UserPicker, type PickedUser } from './UserPicker';
import { deviceText, sharingBody } from './agentView';
import { userLabel } from './userLabels';
import { FormActions } from '../common/FormActions';

export function StatusDot({ status }: { status: string }) {
  const t = useT();
  const cls = status === 'online' ? 'pg-dot-online' : status === 'busy' ? 'pg-dot-busy' : status === 'error' ? 'pg-dot-error' : '';
  return (
    <span className="pg-row" style={{ gap: 0, display: 'inline-flex' }}>
      <span className={`pg-dot ${cls}`} aria-hidden="true" />
      <span>{t(`agents.status_${status}`) === `agents.status_${status}` ? status : t(`agents.status_${status}`)}</span>
    </span>
  );
}

export function AgentCard({ agent, own, onChanged, onDelete }: { agent: Agent; own: boolean; onChanged?: (a: Agent) => void; onDelete?: () => void }) {
  const t = useT();
  const [sharing, setSharing] = useState(false);
  const [renaming, setRenaming] = useState(false);
  const device = deviceText(agent.deviceInfo);
  const cmds = agent.slashCommands ?? [];
  return (
    <li className="pg-card">
      <div className="pg-card-head">
        <h3>{agent.name}</h3>
        <StatusDot status={agent.status} />
      </div>
      <dl className="pg-dl">
        <dt>{t('agents.type')}</dt>
        <dd>{t(`agents.type_${agent.type}`) === `agents.type_${agent.type}` ? agent.type : t(`agents.type_${agent.type}`)}</dd>
        <dt>{t('agents.model')}</dt>
        <dd>{agent.model || t('agents.unknown')}</dd>
        <dt>{t('agents.directory')}</dt>
        <dd>{agent.workingDirectory ? <code>{agent.workingDirectory}</code> : t('agents.unknown')}</dd>
        <dt>{t('agents.device')}</dt>
        <dd>{device || t('agents.unknown')}</dd>
        <dt>{t('agents.cost')}</dt>
        <dd>{agent.sessionCostUSD !== undefined ? usd(agent.sessionCostUSD) : t('agents.unknown')}</dd>
        <dt>{t('agents.lastSeen')}</dt>
        <dd>{agent.status === 'online' || agent.status === 'busy' ? t('agents.now') : relativeTime(agent.lastSeenAt)}</dd>
        {!own && agent.ownerName && (
          <>
            <dt>{t('agents.owner')}</dt>
            <dd>{agent.ownerName}</dd>
          </>
        )}
        {own && (
          <>
            <dt>{t('agents.sharing')}</dt>
            <dd>{agent.visibility === 'whitelist' ? t('agents.sharedWithN', { n: agent.visibilityList.length }) : t(`agents.visibility_${agent.visibility}`)}</dd>
          </>
        )}
      </dl>
      {cmds.length > 0 && (
        <details>
          <summary>{t('agents.slashCommands', { n: cmds.length })}</summary>
          <ul className="pg-list" style={{ gap: 4, marginTop: 6 }}>
            {cmds.map((c) => (
              <li key={c.name}>
                <code>/{c.name}</code> {c.description && <span className="pg-muted">— {c.description}</span>}
                {c.usage && (
                  <div className="pg-muted">
                    <code>{c.usage}</code>
                  </div>
                )}
              </li>
            ))}
          </ul>
        </details>
      )}
      {own && (
        <>
          <div className="pg-actions" style={{ marginTop: 8 }}>
            <Button size="sm" aria-expanded={renaming} aria-label={t('agents.renameNamed', { name: agent.name })} onClick={() => setRenaming((v) => !v)}>
              {t('agents.rename')}
            </Button>
            <Button size="sm" aria-expanded={sharing} aria-label={t('agents.shareNamed', { name: agent.name })} onClick={() => setSharing((v) => !v)}>
              {t('agents.share')}
            </Button>
            <Button size="sm" variant="danger" aria-label={t('agents.deleteNamed', { name: agent.name })} onClick={onDelete}>
              {t('common.delete')}
            </Button>
          </div>
          {renaming && (
            <RenameForm
              agent={agent}
              onDone={(a) => {
                setRenaming(false);
                if (a) onChanged?.(a);
              }}
            />
          )}
          {sharing && (
            <SharingForm
              agent={agent}
              onDone={(a) => {
                setSharing(false);
                if (a) onChanged?.(a);
              }}
            />
          )}
        </>
      )}
    </li>
  );
}

function RenameForm({ agent, onDone }: { agent: Agent; onDone: (a?: Agent) => void }) {
  const t = useT();
  const [name, setName] = useState(agent.name);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (name.trim() === '') return setError(t('agents.errName'));
    setBusy(true);
    try {
      const a = await updateAgent(agent.id, { name: name.trim() });
      toast(t('agents.renamed', { name: a.name }), 'success');
      onDone(a);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="pg-form" onSubmit={submit} style={{ marginTop: 8 }}>
      <Field label={t('agents.newName')} error={error}>
        <input type="text" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
      </Field>
      <FormActions submitLabel={t('agents.saveName')} busy={busy} onCancel={() => onDone()} size="sm" />
    </form>
  );
}

function SharingForm({ agent, onDone }: { agent: Agent; onDone: (a?: Agent) => void }) {
  const t = useT();
  const [visibility, setVisibility] = useState<AgentVisibility>(agent.visibility);
  const [picked, setPicked] = useState<PickedUser[]>(() => agent.visibilityList.map((id) => ({ id, label: userLabel(id) })));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const r = sharingBody(visibility, picked.map((p) => p.id));
    if (!r.body) return setError(t(r.problem!));
    setBusy(true);
    setError(null);
    try {
      const a = await updateAgent(agent.id, r.body);
      toast(t('agents.sharingSaved', { name: agent.name }), 'success');
      onDone(a);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  const group = `share-${agent.id}`;
  return (
    <form className="pg-form" onSubmit={submit} style={{ marginTop: 8 }}>
      <fieldset>
        <legend>{t('agents.whoCanUse', { name: agent.name })}</legend>
        <div className="pg-radio">
          {(['private', 'all', 'whitelist'] as AgentVisibility[]).map((v) => (
            <label key={v}>
              <input type="radio" name={group} value={v} checked={visibility === v} onChange={() => setVisibility(v)} />
              {t(`agents.visibility_${v}`)}
            </label>
          ))}
        </div>
        {visibility === 'whitelist' && <UserPicker label={t('agents.shareWith')} selected={picked} onChange={setPicked} />}
      </fieldset>
      <FormActions submitLabel={t('agents.saveSharing')} busy={busy} error={error} onCancel={() => onDone()} size="sm" />
    </form>
  );
}
