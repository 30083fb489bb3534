// Forward a message to another of my rooms.
import { useState } from 'react';
import { Dialog } from '../components/Dialog';
import { Field } from '../components/Field';
import { Button } from '../components/Button';
import { useT } from '../i18n';
import { useObservable } from '../lib/observable';
import { rooms } from './chatStore';
import { forwardMessage } from '../api/rooms';
import { toast } from '../components/Toast';
import type { Message } from '../state/types';

export function ForwardDialog({ message, onClose }: { message: Message; onClose: () => void }) {
  const t = useT();
  const list = useObservable(rooms).filter((r) => r.id !== message.roomId && !r.archivedAt);
  const [target, setTarget] = useState(list[0]?.id ?? '');
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    try {
      await forwardMessage(message.id, target);
      toast(t('chat.forwarded'), 'success');
      onClose();
    } catch (e) {
      toast((e as Error).message, 'error');
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={t('chat.forward')}
      onClose={onClose}
      size="sm"
      footer={
        <>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button variant="primary" onClick={submit} busy={busy} disabled={!target}>
            {t('chat.forward')}
          </Button>
        </>
      }
    >
      {list.length === 0 ? (
        <p className="muted">{t('chat.noOtherRooms')}</p>
      ) : (
        <Field label={t('chat.forwardTo')}>
          <select value={target} onChange={(e) => setTarget(e.target.value)}>
            {list.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </Field>
      )}
      <blockquote className="forward-preview">{message.content.slice(0, 300)}</blockquote>
    </Dialog>
  );
}
