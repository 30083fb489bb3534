// One open room: header (members, connection, search, members panel, settings), the message
// list, typing line, composer, and side panels (members, thread).
import { useEffect, useState } from 'react';
import type { Room } from '../api/rooms';
import { useObservable } from '../lib/observable';
import { agents, chat, fromCache, loadHistory, loadMembers, markRead, members } from './chatStore';
import { useConnectionState, reconnect } from '../realtime/socket';
import { useT } from '../i18n';
import { MessageList } from './MessageList';
import { Composer } from './Composer';
import { MembersPanel } from './MembersPanel';
import { RoomSettingsDialog } from './RoomSettingsDialog';
import { SearchDialog } from './SearchDialog';
import { ThreadPanel } from './ThreadPanel';
import { TypingLine } from './TypingLine';
import type { Message } from '../state/types';
import { toast } from '../components/Toast';
import { Icon } from '../components/Icon';

export function RoomView({ room, onOpenRooms }: { room: Room; onOpenRooms: () => void }) {
  const t = useT();
  const conn = useConnectionState();
  const roomMembers = useObservable(members)[room.id];
  const agentMap = useObservable(agents);
  const cached = useObservable(fromCache);
  const roomState = useObservable(chat).rooms[room.id];
  const [panel, setPanel] = useState<'members' | null>(null);
  const [settings, setSettings] = useState(false);
  const [search, setSearch] = useState(false);
  const [thread, setThread] = useState<Message | null>(null);
  const [replyTo, setReplyTo] = useState<Message | null>(null);

  useEffect(() => {
    void loadHistory(room.id).catch((e: Error) => toast(e.message, 'error'));
    void loadMembers(room.id);
    void markRead(room.id);
    const onVisible = () => document.visibilityState === 'visible' && void markRead(room.id);
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [room.id]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.shiftKey && !e.altKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        setSearch(true);
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);

  const agentMembers = (roomMembers ?? []).filter((m) => m.memberType === 'agent');
  const model = agentMembers.length === 1 ? agentMap[agentMembers[0].memberId]?.model : undefined;
  const count = roomMembers?.length;

  return (
    <div className={`room-view${panel || thread ? ' with-panel' : ''}`}>
      <header className="room-header">
        <button type="button" className="btn btn-ghost icon-btn rooms-toggle" aria-label={t('chat.showRooms')} title={t('chat.showRooms')} onClick={onOpenRooms}>
          <Icon name="menu" />
        </button>
        <div className="room-title">
          <h1>{room.name}</h1>
          <div className="room-meta">
            {room.broadcastMode && <span className="tag">{t('chat.broadcast')}</span>}
            {count != null && <span>{count === 1 ? t('chat.memberCountOne') : t('chat.memberCount', { n: count })}</span>}
            {model && <span className="muted">· {model}</span>}
          </div>
        </div>
        <div className={`conn conn-${conn}`} role="status" aria-live="polite">
          <span className="conn-dot" aria-hidden="true" />
          <span className="conn-label">{t(`chat.conn.${conn}`)}</span>
          {conn !== 'open' && (
            <button type="button" className="btn btn-secondary btn-sm" onClick={reconnect}>
              {t('chat.reconnect')}
            </button>
          )}
        </div>
        <div className="room-actions">
          <button type="button" className="btn btn-ghost icon-btn" aria-label={t('chat.search')} title={`${t('chat.search')} (Ctrl+K)`} aria-keyshortcuts="Control+K Meta+K" onClick={() => setSearch(true)}>
            <Icon name="search" />
          </button>
          <button type="button" className="btn btn-ghost icon-btn" aria-label={t('chat.members')} title={t('chat.members')} aria-pressed={panel === 'members'} onClick={() => setPanel(panel === 'members' ? null : 'members')}>
            <Icon name="members" />
          </button>
          <button type="button" className="btn btn-ghost icon-btn" aria-label={t('chat.roomSettings')} title={t('chat.roomSettings')} onClick={() => setSettings(true)}>
            <Icon name="settings" />
          </button>
        </div>
      </header>
      {cached && <div className="banner banner-warn" role="status">{t('chat.cachedData')}</div>}
      <div className="room-body">
        <div className="room-column">
          <MessageList room={room} state={roomState} onReply={setReplyTo} onThread={setThread} />
          <TypingLine roomId={room.id} />
          <Composer room={room} replyTo={replyTo} onCancelReply={() => setReplyTo(null)} />
        </div>
        {panel === 'members' && <MembersPanel room={room} onClose={() => setPanel(null)} />}
        {thread && !panel && <ThreadPanel root={thread} onClose={() => setThread(null)} />}
      </div>
      {settings && <RoomSettingsDialog room={room} onClose={() => setSettings(false)} />}
      {search && <SearchDialog room={room} onClose={() => setSearch(false)} />}
    </div>
  );
}
