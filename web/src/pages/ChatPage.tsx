// The chat: room list (a drawer on narrow screens), the open room, and approvals waiting in
// other rooms. Ctrl/⌘+N opens "New room".
import { useEffect, useRef, useState } from 'react';
import { matchPath, useLocation } from '../app/router';
import { useObservable } from '../lib/observable';
import { activeRoomId, loadRooms, rooms, roomsLoaded } from '../chat/chatStore';
import { RoomSidebar } from '../chat/RoomSidebar';
import { NewRoomDialog } from '../chat/NewRoomDialog';
import { RoomView } from '../chat/RoomView';
import { ApprovalsPanel } from '../chat/ApprovalsPanel';
import { preloadMarkdown } from '../chat/Markdown';
import { useT } from '../i18n';
import { NotificationPrompt } from '../chat/NotificationPrompt';
import { MobileNav } from '../chat/MobileNav';

export default function ChatPage() {
  const t = useT();
  const { path } = useLocation();
  const roomId = matchPath('/room/:roomId', path)?.roomId ?? null;
  const [newRoom, setNewRoom] = useState(false);
  const [drawer, setDrawer] = useState(false);
  const touchX = useRef(0);
  const list = useObservable(rooms);
  const loaded = useObservable(roomsLoaded);
  const room = roomId ? list.find((r) => r.id === roomId) : undefined;

  useEffect(() => {
    activeRoomId.set(roomId);
    setDrawer(false);
    return () => activeRoomId.set(null);
  }, [roomId]);

  // A room opened by link that the list does not know yet (added since): ask the hub once.
  const [refetched, setRefetched] = useState<string | null>(null);
  useEffect(() => {
    if (roomId && loaded && !room && refetched !== roomId) {
      setRefetched(roomId);
      void loadRooms().catch(() => undefined);
    }
  }, [roomId, loaded, room, refetched]);

  useEffect(() => {
    preloadMarkdown();
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && !e.shiftKey && !e.altKey && e.key.toLowerCase() === 'n') {
        e.preventDefault();
        setNewRoom(true);
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className={`chat-page${roomId ? ' has-room' : ''}${drawer ? ' drawer-open' : ''}`}>
      <aside className="chat-sidebar" aria-label={t('chat.rooms')} onTouchStart={(e) => (touchX.current = e.touches[0].clientX)} onTouchEnd={(e) => { if (touchX.current - e.changedTouches[0].clientX > 60) setDrawer(false); }}>
        <RoomSidebar activeId={roomId} onNewRoom={() => setNewRoom(true)} />
        <MobileNav />
      </aside>
      {drawer && <div className="drawer-scrim" aria-hidden="true" onClick={() => setDrawer(false)} />}
      <section className="chat-main" aria-label={room?.name ?? t('chat.chat')}>
        <NotificationPrompt />
        <ApprovalsPanel exceptRoom={roomId ?? undefined} />
        {roomId && room ? (
          <RoomView key={roomId} room={room} onOpenRooms={() => setDrawer(true)} />
        ) : roomId && loaded && refetched === roomId ? (
          <div className="chat-empty">
            <p>{t('chat.roomNotFound')}</p>
          </div>
        ) : (
          <div className="chat-empty">
            <h1>{t('chat.welcome')}</h1>
            <p className="muted">{t('chat.pickRoom')}</p>
            <button type="button" className="btn btn-primary btn-md" onClick={() => setNewRoom(true)}>
              {t('chat.newRoom')}
            </button>
          </div>
        )}
      </section>
      {newRoom && <NewRoomDialog onClose={() => setNewRoom(false)} />}
    </div>
  );
}
