// Members of a room: people and agents with roles and online dots; add a person (search),
// add an agent (own and shared, search, online only), remove; an agent's settings.
import { useEffect, useMemo, useState } from 'react';
import type { Room, RoomMember, UserSummary } from '../api/rooms';
import * as rest from '../api/rooms';
import { useObservable } from '../lib/observable';
import { agents, loadAgents, loadMembers, members, onlineUsers } from './chatStore';
import { useT } from '../i18n';
import { currentUser } from '../stores/session';
import { toast } from '../components/Toast';
import { Dialog, ConfirmDialog } from '../components/Dialog';
import { Field } from '../components/Field';
import { Avatar } from './Avatar';
import { AgentSettingsDialog } from './AgentSettingsDialog';

export function MembersPanel({ room, onClose }: { room: Room; onClose: () => void }) {
  const t = useT();
  const list = useObservable(members)[room.id] ?? [];
  const agentMap = useObservable(agents);
  const online = useObservable(onlineUsers);
  const me = currentUser();
  const [adding, setAdding] = useState<'user' | 'agent' | null>(null);
  const [removing, setRemoving] = useState<RoomMember | null>(null);
  const [agentOpen, setAgentOpen] = useState<string | null>(null);
  const myRole = list.find((m) => m.memberId === me?.id)?.role;
  const isAdmin = myRole === 'owner' || myRole === 'admin' || room.createdById === me?.id;

  const remove = async (m: RoomMember) => {
    try {
      await rest.removeMember(room.id, m.memberId);
      await loadMembers(room.id);
    } catch (e) {
      toast((e as Error).message, 'error');
    }
  };

  const status = (m: RoomMember): { on: boolean; label: string } => {
    if (m.memberType === 'agent') {
      const s = agentMap[m.memberId]?.status ?? 'offline';
      return { on: s === 'online' || s === 'busy', label: t(`chat.agentStatus.${s}`) };
    }
    const on = m.memberId === me?.id || !!online[m.memberId];
    return { on, label: on ? t('common.online') : t('common.offlineStatus') };
  };

  return (
    <aside className="side-panel" aria-labelledby="members-title">
      <header className="side-panel-head">
        <h2 id="members-title">{t('chat.membersTitle', { n: list.length })}</h2>
        <button type="button" className="btn btn-ghost icon-btn" aria-label={t('common.close')} onClick={onClose}>
          ✕
        </button>
      </header>
      {isAdmin && (
        <div className="form-row side-panel-tools">
          <button type="button" className="btn btn-secondary btn-sm" onClick={() => setAdding('user')}>
            {t('chat.addMember')}
          </button>
          <button type="button" className="btn btn-secondary btn-sm" onClick={() => setAdding('agent')}>
            {t('chat.addAgent')}
          </button>
        </div>
      )}
      <ul className="member-list">
        {list.map((m) => {
          const st = status(m);
          const name = m.memberType === 'agent' ? agentMap[m.memberId]?.name ?? m.displayName ?? m.memberId : m.displayName ?? m.memberId;
          return (
            <li key={`${m.memberType}:${m.memberId}`} className="member">
              <span className="member-avatar">
                <Avatar name={name} agent={m.memberType === 'agent'} size={28} />
                <span className={`dot${st.on ? ' on' : ''}`} role="img" aria-label={st.label} />
              </span>
              {m.memberType === 'agent' ? (
                <button type="button" className="member-name linkish" onClick={() => setAgentOpen(m.memberId)} aria-label={t('chat.agentSettingsFor', { name })}>
                  {name}
                </button>
              ) : (
                <span className="member-name">
                  {name}
                  {m.memberId === me?.id ? ` (${t('common.you')})` : ''}
                </span>
              )}
              <span className="tag">{t(`chat.role.${m.role}`)}</span>
              {(isAdmin || m.memberId === me?.id) && m.memberId !== room.createdById && (
                <button type="button" className="btn btn-ghost btn-sm" aria-label={t('chat.removeMember', { name })} onClick={() => setRemoving(m)}>
                  {t('chat.remove')}
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {adding && <AddMemberDialog room={room} kind={adding} existing={list} onClose={() => setAdding(null)} />}
      {removing && (
        <ConfirmDialog
          title={t('chat.removeMemberTitle')}
          message={t('chat.removeMemberConfirm', { name: removing.displayName ?? removing.memberId })}
          confirmLabel={t('chat.remove')}
          danger
          onConfirm={() => remove(removing)}
          onClose={() => setRemoving(null)}
        />
      )}
      {agentOpen && <AgentSettingsDialog roomId={room.id} agentId={agentOpen} onClose={() => setAgentOpen(null)} />}
    </aside>
  );
}

function AddMemberDialog({ room, kind, existing, onClose }: { room: Room; kind: 'user' | 'agent'; existing: RoomMember[]; onClose: () => void }) {
  const t = useT();
  const [q, setQ] = useState('');
  const [users, setUsers] = useState<UserSummary[]>([]);
  const [onlineOnly, setOnlineOnly] = useState(false);
  const agentMap = useObservable(agents);
  const present = new Set(existing.map((m) => m.memberId));

  useEffect(() => {
    if (kind === 'agent') void loadAgents();
  }, [kind]);
  useEffect(() => {
    if (kind !== 'user') return;
    if (q.trim().length < 2) return setUsers([]);
    const id = setTimeout(() => void rest.searchUsers(q.trim()).then(setUsers, () => setUsers([])), 200);
    return () => clearTimeout(id);
  }, [q, kind]);

  const agentList = useMemo(
    () =>
      Object.values(agentMap)
        .filter((a) => !present.has(a.id))
        .filter((a) => !onlineOnly || a.status === 'online' || a.status === 'busy')
        .filter((a) => !q.trim() || a.name.toLowerCase().includes(q.trim().toLowerCase())),
    [agentMap, q, onlineOnly, existing],
  );

  const add = async (id: string) => {
    try {
      await rest.addMember(room.id, id, kind);
      await loadMembers(room.id);
      toast(t('chat.memberAdded'), 'success');
      onClose();
    } catch (e) {
      toast((e as Error).message, 'error');
    }
  };

  return (
    <Dialog title={kind === 'user' ? t('chat.addMember') : t('chat.addAgent')} onClose={onClose} size="sm">
      <Field label={kind === 'user' ? t('chat.searchPeople') : t('chat.searchAgents')}>
        <input type="search" value={q} onChange={(e) => setQ(e.target.value)} data-autofocus />
      </Field>
      {kind === 'agent' && (
        <label className="check">
          <input type="checkbox" checked={onlineOnly} onChange={(e) => setOnlineOnly(e.target.checked)} /> {t('chat.onlineOnly')}
        </label>
      )}
      <ul className="pick-list">
        {kind === 'user'
          ? users
              .filter((u) => !present.has(u.id))
              .map((u) => (
                <li key={u.id}>
                  <span>
                    {u.displayName} <span className="muted">@{u.username}</span>
                  </span>
                  <button type="button" className="btn btn-primary btn-sm" aria-label={t('chat.addNamed', { name: u.username })} onClick={() => add(u.id)}>
                    {t('chat.add')}
                  </button>
                </li>
              ))
          : agentList.map((a) => (
              <li key={a.id}>
                <span>
                  {a.name} <span className="muted">{a.type} · {t(`chat.agentStatus.${a.status}`)}</span>
                </span>
                <button type="button" className="btn btn-primary btn-sm" aria-label={t('chat.addNamed', { name: a.name })} onClick={() => add(a.id)}>
                  {t('chat.add')}
                </button>
              </li>
            ))}
      </ul>
      {kind === 'user' && q.trim().length < 2 && <p className="muted small">{t('chat.typeToSearch')}</p>}
      {kind === 'agent' && agentList.length === 0 && <p className="muted small">{t('chat.noAgentsToAdd')}</p>}
    </Dialog>
  );
}
