// An agent's settings in a room: model, thinking mode, effort, plan mode, permission mode,
// compact, reset session, cost — sent as client:agent_command, refreshed with agent info.
import { useEffect } from 'react';
import { Dialog } from '../components/Dialog';
import { Field } from '../components/Field';
import { useObservable } from '../lib/observable';
import { agentCommand, agentInfo, agents, queryAgentInfo } from './chatStore';
import { useT } from '../i18n';

export function AgentSettingsDialog({ roomId, agentId, onClose }: { roomId: string; agentId: string; onClose: () => void }) {
  const t = useT();
  const info = useObservable(agentInfo)[agentId] as Record<string, any> | undefined;
  const summary = useObservable(agents)[agentId];
  useEffect(() => queryAgentInfo(agentId, roomId), [agentId, roomId]);
  const a = { ...summary, ...info } as Record<string, any>;
  const run = (command: string, args = '') => {
    agentCommand(roomId, agentId, command, args);
    setTimeout(() => queryAgentInfo(agentId, roomId), 1500);
  };
  const models: { value: string; label: string }[] = (a.availableModelInfo as { value: string; displayName: string }[] | undefined)?.map((m) => ({ value: m.value, label: m.displayName })) ?? (a.availableModels as string[] | undefined)?.map((m) => ({ value: m, label: m })) ?? [];
  return (
    <Dialog title={t('chat.agentSettingsFor', { name: a.name ?? agentId })} onClose={onClose}>
      <dl className="kv">
        <dt>{t('chat.agentType')}</dt>
        <dd>{a.type ?? '—'}</dd>
        <dt>{t('chat.agentStatusLabel')}</dt>
        <dd>{a.status ? t(`chat.agentStatus.${a.status}`) : '—'}</dd>
        {a.workingDirectory && (
          <>
            <dt>{t('chat.workingDirectory')}</dt>
            <dd>
              <code>{a.workingDirectory}</code>
            </dd>
          </>
        )}
        {typeof a.sessionCostUSD === 'number' && (
          <>
            <dt>{t('chat.sessionCost')}</dt>
            <dd>${a.sessionCostUSD.toFixed(4)}</dd>
          </>
        )}
      </dl>
      {models.length > 0 ? (
        <Field label={t('chat.model')}>
          <select value={a.model ?? ''} onChange={(e) => run('model', e.target.value)}>
            {!a.model && <option value="">—</option>}
            {models.map((m) => (
              <option key={m.value} value={m.value}>
                {m.label}
              </option>
            ))}
          </select>
        </Field>
      ) : (
        a.model && (
          <p>
            {t('chat.model')}: <code>{a.model}</code>
          </p>
        )
      )}
      {Array.isArray(a.availableThinkingModes) && a.availableThinkingModes.length > 0 && (
        <Field label={t('chat.thinkingMode')}>
          <select value={a.thinkingMode ?? ''} onChange={(e) => run('think', e.target.value)}>
            {(a.availableThinkingModes as string[]).map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </Field>
      )}
      {Array.isArray(a.availableEffortLevels) && a.availableEffortLevels.length > 0 && (
        <Field label={t('chat.effort')}>
          <select value={a.effortLevel ?? ''} onChange={(e) => run('effort', e.target.value)}>
            {(a.availableEffortLevels as string[]).map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </Field>
      )}
      <label className="check">
        <input type="checkbox" checked={!!a.planMode} onChange={(e) => run('plan', e.target.checked ? 'on' : 'off')} /> {t('chat.planMode')}
      </label>
      <Field label={t('chat.permissionMode')}>
        <select value={a.permissionLevel ?? 'interactive'} onChange={(e) => run('permission', e.target.value === 'bypass' ? 'bypass' : 'interactive')}>
          <option value="interactive">{t('chat.permissionAsk')}</option>
          <option value="bypass">{t('chat.permissionBypass')}</option>
        </select>
      </Field>
      <div className="form-row">
        <button type="button" className="btn btn-secondary btn-sm" onClick={() => run('compact')}>
          {t('chat.compact')}
        </button>
        <button type="button" className="btn btn-secondary btn-sm" onClick={() => run('clear')}>
          {t('chat.resetSession')}
        </button>
      </div>
    </Dialog>
  );
}
