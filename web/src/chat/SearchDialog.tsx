// Search messages (at least 2 characters) in this room or everywhere, filtered by sender,
// sender type and date range; a result opens its room.
import { useState, type FormEvent } from 'react';
import type { Room } from '../api/rooms';
import { searchMessages } from '../api/rooms';
import type { Message } from '../state/types';
import { Dialog } from '../components/Dialog';
import { Field } from '../components/Field';
import { Button } from '../components/Button';
import { useT, formatDateTime } from '../i18n';
import { useObservable } from '../lib/observable';
import { members, rooms } from './chatStore';
import { navigate } from '../app/router';

function dayStart(d: string): string | undefined {
  return d ? new Date(`${d}T00:00:00`).toISOString() : undefined;
}
function dayEnd(d: string): string | undefined {
  return d ? new Date(`${d}T23:59:59.999`).toISOString() : undefined;
}

export function SearchDialog({ room, onClose }: { room: Room; onClose: () => void }) {
  const t = useT();
  const roomMembers = useObservable(members)[room.id] ?? [];
  const roomList = useObservable(rooms);
  const [q, setQ] = useState('');
  const [scope, setScope] = useState<'room' | 'all'>('room');
  const [sender, setSender] = useState('');
  const [senderType, setSenderType] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [results, setResults] = useState<Message[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (e: FormEvent) => {
    e.preventDefault();
    if (q.trim().length < 2) {
      setError(t('chat.searchMin'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      setResults(
        await searchMessages({
          q: q.trim(),
          roomId: scope === 'room' ? room.id : undefined,
          senderId: sender || undefined,
          senderType: (senderType || undefined) as 'user' | 'agent' | 'system' | undefined,
          dateFrom: dayStart(from),
          dateTo: dayEnd(to),
        }),
      );
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={t('chat.searchMessages')} onClose={onClose} size="lg">
      <form onSubmit={run} className="search-form">
        <Field label={t('chat.searchFor')} error={error}>
          <input type="search" value={q} maxLength={500} onChange={(e) => setQ(e.target.value)} data-autofocus />
        </Field>
        <div className="search-filters">
          <Field label={t('chat.searchIn')}>
            <select value={scope} onChange={(e) => setScope(e.target.value as 'room' | 'all')}>
              <option value="room">{t('chat.thisRoom')}</option>
              <option value="all">{t('chat.allRooms')}</option>
            </select>
          </Field>
          <Field label={t('chat.sender')}>
            <select value={sender} onChange={(e) => setSender(e.target.value)}>
              <option value="">{t('chat.anyone')}</option>
              {roomMembers.map((m) => (
                <option key={m.memberId} value={m.memberId}>
                  {m.displayName ?? m.memberId}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('chat.senderType')}>
            <select value={senderType} onChange={(e) => setSenderType(e.target.value)}>
              <option value="">{t('chat.anyType')}</option>
              <option value="user">{t('chat.senderType.user')}</option>
              <option value="agent">{t('chat.senderType.agent')}</option>
              <option value="system">{t('chat.senderType.system')}</option>
            </select>
          </Field>
          <Field label={t('chat.dateFrom')}>
            <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
          </Field>
          <Field label={t('chat.dateTo')}>
            <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
          </Field>
        </div>
        <Button type="submit" variant="primary" busy={busy}>
          {t('chat.search')}
        </Button>
      </form>
      {results && (
        <div className="search-results" role="region" aria-label={t('chat.searchResults')} aria-live="polite">
          <p className="muted small">{t('chat.resultCount', { n: results.length })}</p>
          <ul>
            {results.map((m) => (
              <li key={m.id}>
                <button
                  type="button"
                  className="search-hit"
                  onClick={() => {
                    onClose();
                    navigate(`/room/${encodeURIComponent(m.roomId)}`);
                  }}
                >
                  <span className="search-hit-head">
                    <strong>{m.senderName}</strong> · {roomList.find((r) => r.id === m.roomId)?.name ?? ''} · <time dateTime={m.createdAt}>{formatDateTime(m.createdAt)}</time>
                  </span>
                  <span className="search-hit-body">{m.content.slice(0, 300)}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </Dialog>
  );
}
