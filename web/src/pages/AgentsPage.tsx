// /agents: my agents (with sharing, rename, delete), agents others share with me (read-only),
// and my gateways (spawn, credentials, delete). Live: server:agents_changed reloads,
// server:agent_status and server:agent_info update rows (the latter brings the session cost).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useT } from '../i18n';
import { Button } from '../components/Button';
import { ConfirmDialog } from '../components/Dialog';
import { Spinner } from '../components/Spinner';
import { toast } from '../components/Toast';
import { on, send } from '../realtime/socket';
import { deleteAgent, deleteGateway, listAgents, listGateways, listSharedAgents, type Agent, type Gateway } from '../api/agents';
import { AgentCard } from './agents/AgentCard';
import { GatewayCard } from './agents/GatewayCard';
import { SpawnDialog } from './agents/SpawnDialog';
import { sortAgents } from './agents/agentView';
import { errorText } from './common/errors';
import { usePageStyles } from './common/usePageStyles';
import { toasted } from './common/toasted';
import { LoadError } from './common/LoadError';

/** At most this many `client:query_agent_info` frames per load (the hub limits frames per user). */
const INFO_QUERIES = 8;

type Live = Partial<Pick<Agent, 'status' | 'model' | 'sessionCostUSD' | 'slashCommands' | 'name'>>;

export default function AgentsPage() {
  usePageStyles();
  const t = useT();
  const [own, setOwn] = useState<Agent[] | null>(null);
  const [shared, setShared] = useState<Agent[]>([]);
  const [gateways, setGateways] = useState<Gateway[]>([]);
  const [live, setLive] = useState<Record<string, Live>>({});
  const [error, setError] = useState<string | null>(null);
  const [spawnOn, setSpawnOn] = useState<Gateway | null>(null);
  const [deletingAgent, setDeletingAgent] = useState<Agent | null>(null);
  const [deletingGateway, setDeletingGateway] = useState<Gateway | null>(null);
  const queried = useRef(new Set<string>());

  const load = useCallback(async () => {
    try {
      const [a, s, g] = await Promise.all([listAgents(), listSharedAgents(), listGateways()]);
      setOwn(a);
      setShared(s);
      setGateways(g);
      setError(null);
      // Cost and current model come only from the agent itself.
      for (const agent of a.filter((x) => x.status !== 'offline' && !queried.current.has(x.id)).slice(0, INFO_QUERIES)) {
        queried.current.add(agent.id);
        send({ type: 'client:query_agent_info', agentId: agent.id }, false);
      }
    } catch (e) {
      setError(errorText(e));
    }
  }, []);

  useEffect(() => {
    void load();
    let timer: ReturnType<typeof setTimeout> | null = null;
    const reloadSoon = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void load(), 300); // several changes arrive together
    };
    const merge = (agent: Record<string, unknown> | undefined, fields: (keyof Live)[]) => {
      if (!agent || typeof agent.id !== 'string') return;
      const patch: Live = {};
      for (const f of fields) if (agent[f] !== undefined) (patch as Record<string, unknown>)[f] = agent[f];
      setLive((m) => ({ ...m, [agent.id as string]: { ...m[agent.id as string], ...patch } }));
    };
    const offs = [
      on('server:agents_changed', reloadSoon),
      on('socket:closed', () => queried.current.clear()),
      on('server:auth_result', reloadSoon),
      on('server:agent_status', (f: { agent?: Record<string, unknown> }) => merge(f.agent, ['status', 'model', 'slashCommands', 'name'])),
      on('server:agent_info', (f: { agent?: Record<string, unknown> }) => merge(f.agent, ['status', 'model', 'sessionCostUSD', 'slashCommands', 'name'])),
    ];
    return () => {
      if (timer) clearTimeout(timer);
      offs.forEach((off) => off());
    };
  }, [load]);

  const withLive = useCallback((a: Agent): Agent => ({ ...a, ...(live[a.id] ?? {}) }), [live]);
  const ownSorted = useMemo(() => sortAgents((own ?? []).map(withLive)), [own, withLive]);
  const sharedSorted = useMemo(() => sortAgents(shared.map(withLive)), [shared, withLive]);
  const countOn = (g: Gateway) => (own ?? []).filter((a) => a.gatewayId === g.id).length;

  return (
    <section className="pg" aria-labelledby="agents-title">
      <div className="pg-head">
        <h1 id="agents-title">{t('agents.title')}</h1>
        <div className="pg-actions">
          <Button onClick={() => void load()}>{t('agents.refresh')}</Button>
        </div>
      </div>
      <LoadError error={error} onRetry={() => void load()} />
      {!own && !error && <Spinner />}
      {own && (
        <>
          <section className="pg-section" aria-labelledby="agents-mine">
            <h2 id="agents-mine">{t('agents.myAgents', { n: ownSorted.length })}</h2>
            {ownSorted.length === 0 ? (
              <p className="pg-muted">{t('agents.noAgents')}</p>
            ) : (
              <ul className="pg-list">
                {ownSorted.map((a) => (
                  <AgentCard
                    key={a.id}
                    agent={a}
                    own
                    onChanged={(updated) => setOwn((list) => (list ?? []).map((x) => (x.id === updated.id ? { ...x, ...updated } : x)))}
                    onDelete={() => setDeletingAgent(a)}
                  />
                ))}
              </ul>
            )}
          </section>
          <section className="pg-section" aria-labelledby="agents-shared">
            <h2 id="agents-shared">{t('agents.sharedWithMe', { n: sharedSorted.length })}</h2>
            {sharedSorted.length === 0 ? (
              <p className="pg-muted">{t('agents.noShared')}</p>
            ) : (
              <ul className="pg-list">
                {sharedSorted.map((a) => (
                  <AgentCard key={a.id} agent={a} own={false} />
                ))}
              </ul>
            )}
          </section>
          <section className="pg-section" aria-labelledby="agents-gateways">
            <h2 id="agents-gateways">{t('agents.myGateways', { n: gateways.length })}</h2>
            {gateways.length === 0 ? (
              <p className="pg-muted">{t('agents.noGateways')}</p>
            ) : (
              <ul className="pg-list">
                {gateways.map((g) => (
                  <GatewayCard key={g.id} gateway={g} agentCount={countOn(g)} onSpawn={() => setSpawnOn(g)} onDelete={() => setDeletingGateway(g)} />
                ))}
              </ul>
            )}
          </section>
        </>
      )}
      {spawnOn && (
        <SpawnDialog
          gateway={spawnOn}
          onClose={() => setSpawnOn(null)}
          onSpawned={(name) => {
            setSpawnOn(null);
            toast(t('agents.spawned', { name }), 'success');
            void load();
          }}
        />
      )}
      {deletingAgent && (
        <ConfirmDialog
          title={t('agents.deleteTitle')}
          message={t('agents.deleteConfirm', { name: deletingAgent.name })}
          confirmLabel={t('agents.deleteNamed', { name: deletingAgent.name })}
          danger
          onClose={() => setDeletingAgent(null)}
          onConfirm={() =>
            toasted(async () => {
              await deleteAgent(deletingAgent.id);
              setOwn((list) => (list ?? []).filter((x) => x.id !== deletingAgent.id));
            }, t('agents.deleted', { name: deletingAgent.name }))
          }
        />
      )}
      {deletingGateway && (
        <ConfirmDialog
          title={t('agents.deleteGatewayTitle')}
          message={t('agents.deleteGatewayConfirm', { gateway: deletingGateway.name || deletingGateway.hostname, n: countOn(deletingGateway) })}
          confirmLabel={t('agents.deleteGatewayNamed', { gateway: deletingGateway.name || deletingGateway.hostname || deletingGateway.id })}
          danger
          onClose={() => setDeletingGateway(null)}
          onConfirm={() =>
            toasted(async () => {
              await deleteGateway(deletingGateway.id);
              setGateways((list) => list.filter((x) => x.id !== deletingGateway.id));
              setOwn((list) => (list ?? []).filter((x) => x.gatewayId !== deletingGateway.id));
            }, t('agents.gatewayDeleted'))
          }
        />
      )}
    </section>
  );
}
