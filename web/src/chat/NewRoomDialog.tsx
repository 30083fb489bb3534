// "New room": a name, broadcast on/off; the creator can add people later.
import { useState, type FormEvent } from 'react';
import { Dialog } from '../components/Dialog';
import { Field } from '../components/Field';
import { Button } from '../components/Button';
import { useT } from '../i18n';
import { createRoom } from '../api/rooms';
import { joinRoom, upsertRoom } from './chatStore';
import { goToRoom } from './RoomSidebar';

export function NewRoomDialog({ onClose }: { onClose: () => void }) {
  const t = useT();
  const [name, setName] = useState('');
  const [broadcast, setBroadcast] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const room = await createRoom({ name: name.trim(), type: 'group', broadcastMode: broadcast });
      upsertRoom({ ...room, pinnedAt: null, archivedAt: null });
      joinRoom(room.id);
      onClose();
      goToRoom(room.id);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  return (
    <Dialog title={t('chat.newRoom')} onClose={onClose} size="sm">
      <form onSubmit={submit}>
        <Field label={t('chat.roomName')} error={error}>
          <input value={name} maxLength={100} onChange={(e) => setName(e.target.value)} data-autofocus required />
        </Field>
        <label className="check">
          <input type="checkbox" checked={broadcast} onChange={(e) => setBroadcast(e.target.checked)} /> {t('chat.broadcastMode')}
        </label>
        <p className="field-hint">{t('chat.broadcastHint')}</p>
        <div className="dialog-actions">
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="primary" busy={busy} disabled={!name.trim()}>
            {t('chat.create')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
