// Room settings: rename, broadcast, router, who may command agents, system prompt (room
// admins); pin, archive, notifications, clear my history (every member); delete (creator).
import { useEffect, useState, type FormEvent } from 'react';
import type { Room, RouterSummary } from '../api/rooms';
import * as rest from '../api/rooms';
import { Dialog, ConfirmDialog } from '../components/Dialog';
import { Field } from '../components/Field';
import { Button } from '../components/Button';
import { useT } from '../i18n';
import { useObservable } from '../lib/observable';
import { dispatch, members, upsertRoom, rooms, loadMembers } from './chatStore';
import { currentUser } from '../stores/session';
import { toast } from '../components/Toast';
import { navigate } from '../app/router';

export function RoomSettingsDialog({ room, onClose }: { room: Room; onClose: () => void }) {
  const t = useT();
  const me = currentUser();
  const list = useObservable(members)[room.id] ?? [];
  const mine = list.find((m) => m.memberId === me?.id);
  const isAdmin = mine?.role === 'owner' || mine?.role === 'admin' || room.createdById === me?.id;
  const isCreator = room.createdById === me?.id;
  const [name, setName] = useState(room.name);
  const [broadcast, setBroadcast] = useState(room.broadcastMode);
  const [routerId, setRouterId] = useState(room.routerId ?? '');
  const [role, setRole] = useState(room.agentCommandRole ?? 'member');
  const [prompt, setPrompt] = useState(room.systemPrompt ?? '');
  const [routers, setRouters] = useState<RouterSummary[]>([]);
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState<'delete' | 'clear' | null>(null);

  useEffect(() => {
    if (isAdmin) void rest.listRouters().then(setRouters, () => setRouters([]));
  }, [isAdmin]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      const updated = await rest.updateRoom(room.id, {
        name: name.trim(),
        broadcastMode: broadcast,
        routerId: routerId || null,
        agentCommandRole: role,
        systemPrompt: prompt.trim() ? prompt : null,
      });
      upsertRoom(updated);
      toast(t('chat.settingsSaved'), 'success');
      onClose();
    } catch (err) {
      toast((err as Error).message, 'error');
    } finally {
      setBusy(false);
    }
  };
  const pin = async () => {
    try {
      const { pinned } = await rest.togglePin(room.id);
      upsertRoom({ ...room, pinnedAt: pinned ? new Date().toISOString() : null });
    } catch (e) {
      toast((e as Error).message, 'error');
    }
  };
  const archive = async () => {
    try {
      const { archived } = await rest.toggleArchive(room.id);
      upsertRoom({ ...room, archivedAt: archived ? new Date().toISOString() : null });
      toast(archived ? t('chat.archived') : t('chat.unarchived'), 'success');
    } catch (e) {
      toast((e as Error).message, 'error');
    }
  };
  const setPref = async (pref: 'all' | 'mentions' | 'none') => {
    try {
      await rest.setNotificationPref(room.id, pref);
      void loadMembers(room.id);
    } catch (e) {
      toast((e as Error).message, 'error');
    }
  };
  const current = rooms.get().find((r) => r.id === room.id) ?? room;

  return (
    <Dialog title={t('chat.roomSettings')} onClose={onClose} size="md">
      {isAdmin ? (
        <form onSubmit={save}>
          <Field label={t('chat.roomName')}>
            <input value={name} maxLength={100} onChange={(e) => setName(e.target.value)} required />
          </Field>
          <label className="check">
            <input type="checkbox" checked={broadcast} onChange={(e) => setBroadcast(e.target.checked)} /> {t('chat.broadcastMode')}
          </label>
          <p className="field-hint">{t('chat.broadcastHint')}</p>
          <Field label={t('chat.router')}>
            <select value={routerId} onChange={(e) => setRouterId(e.target.value)}>
              <option value="">{t('chat.noRouter')}</option>
              {routers.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('chat.agentCommandRole')}>
            <select value={role} onChange={(e) => setRole(e.target.value as 'member' | 'admin' | 'owner')}>
              <option value="member">{t('chat.role.member')}</option>
              <option value="admin">{t('chat.role.admin')}</option>
              <option value="owner">{t('chat.role.owner')}</option>
            </select>
          </Field>
          <Field label={t('chat.systemPrompt')}>
            <textarea value={prompt} maxLength={10000} rows={4} onChange={(e) => setPrompt(e.target.value)} />
          </Field>
          <div className="dialog-actions">
            <Button type="submit" variant="primary" busy={busy} disabled={!name.trim()}>
              {t('common.save')}
            </Button>
          </div>
        </form>
      ) : (
        <p className="muted">{t('chat.onlyAdminsEdit')}</p>
      )}
      <hr />
      <div className="settings-grid">
        <Button onClick={pin}>{current.pinnedAt ? t('chat.unpin') : t('chat.pin')}</Button>
        <Button onClick={archive}>{current.archivedAt ? t('chat.unarchive') : t('chat.archive')}</Button>
        <Button onClick={() => setConfirm('clear')}>{t('chat.clearHistory')}</Button>
        {isCreator && (
          <Button variant="danger" onClick={() => setConfirm('delete')}>
            {t('chat.deleteRoom')}
          </Button>
        )}
      </div>
      <Field label={t('chat.notificationPref')}>
        <select value={mine?.notificationPref ?? 'all'} onChange={(e) => setPref(e.target.value as 'all' | 'mentions' | 'none')}>
          <option value="all">{t('chat.notify.all')}</option>
          <option value="mentions">{t('chat.notify.mentions')}</option>
          <option value="none">{t('chat.notify.none')}</option>
        </select>
      </Field>
      {confirm === 'clear' && (
        <ConfirmDialog
          title={t('chat.clearHistory')}
          message={t('chat.clearConfirm')}
          confirmLabel={t('chat.clearHistory')}
          danger
          onConfirm={async () => {
            try {
              const { clearedAt } = await rest.clearRoom(room.id);
              dispatch({ type: 'cleared', roomId: room.id, clearedAt });
            } catch (e) {
              toast((e as Error).message, 'error');
            }
          }}
          onClose={() => setConfirm(null)}
        />
      )}
      {confirm === 'delete' && (
        <ConfirmDialog
          title={t('chat.deleteRoom')}
          message={t('chat.deleteRoomConfirm', { name: room.name })}
          confirmLabel={t('chat.deleteRoom')}
          danger
          onConfirm={async () => {
            try {
              await rest.deleteRoom(room.id);
              rooms.update((l) => l.filter((r) => r.id !== room.id));
              onClose();
              navigate('/');
            } catch (e) {
              toast((e as Error).message, 'error');
            }
          }}
          onClose={() => setConfirm(null)}
        />
      )}
    </Dialog>
  );
}
