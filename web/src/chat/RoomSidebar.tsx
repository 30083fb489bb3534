// The room list: pinned first then by last message, unread badges (99+), broadcast tag,
// archived view, mark all read, New room (Ctrl/⌘+N); arrows/Home/End move between rooms.
import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useObservable } from '../lib/observable';
import { recent, rooms, roomsLoaded, markAllRead } from './chatStore';
import { Link, navigate } from '../app/router';
import { useT } from '../i18n';
import { toast } from '../components/Toast';
import { badge, sortRooms } from '../state/roomList';
import { Icon } from '../components/Icon';
import { BookmarksDialog } from './BookmarksDialog';


export function RoomSidebar({ activeId, onNewRoom }: { activeId: string | null; onNewRoom: () => void }) {
  const t = useT();
  const list = useObservable(rooms);
  const rec = useObservable(recent);
  const loaded = useObservable(roomsLoaded);
  const [archived, setArchived] = useState(false);
  const [filter, setFilter] = useState('');
  const [showBookmarks, setShowBookmarks] = useState(false);
  const listRef = useRef<HTMLUListElement>(null);

  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return sortRooms(
      list.filter((r) => !!r.archivedAt === archived && (!f || r.name.toLowerCase().includes(f))),
      rec,
    );
  }, [list, rec, archived, filter]);
  const anyUnread = list.some((r) => (rec[r.id]?.unread ?? 0) > 0);

  const onKey = (e: KeyboardEvent<HTMLUListElement>) => {
    const links = [...(listRef.current?.querySelectorAll<HTMLAnchorElement>('a.room-link') ?? [])];
    const i = links.indexOf(document.activeElement as HTMLAnchorElement);
    let next = -1;
    if (e.key === 'ArrowDown') next = Math.min(links.length - 1, i + 1);
    else if (e.key === 'ArrowUp') next = Math.max(0, i - 1);
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = links.length - 1;
    if (next >= 0 && links[next]) {
      e.preventDefault();
      links[next].focus();
    }
  };

  return (
    <div className="room-sidebar">
      <div className="room-sidebar-head">
        <h2>{archived ? t('chat.archivedRooms') : t('chat.rooms')}</h2>
        <button type="button" className="btn btn-primary btn-sm" onClick={onNewRoom} title={`${t('chat.newRoom')} (Ctrl+N)`} aria-keyshortcuts="Control+N Meta+N">
          {t('chat.newRoom')}
        </button>
      </div>
      <div className="room-sidebar-tools">
        <input type="search" aria-label={t('chat.filterRooms')} placeholder={t('chat.filterRooms')} value={filter} onChange={(e) => setFilter(e.target.value)} />
        <div className="form-row">
          <button type="button" className="btn btn-ghost btn-sm" aria-pressed={archived} onClick={() => setArchived(!archived)}>
            {archived ? t('chat.showActive') : t('chat.showArchived')}
          </button>
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            disabled={!anyUnread}
            onClick={() => markAllRead().then(() => toast(t('chat.allRead'), 'success'), (e: Error) => toast(e.message, 'error'))}
          >
            {t('chat.markAllRead')}
          </button>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setShowBookmarks(true)}>
            {t('chat.bookmarks')}
          </button>
        </div>
      </div>
      {loaded && shown.length === 0 && <p className="muted room-empty">{archived ? t('chat.noArchived') : t('chat.noRooms')}</p>}
      <ul className="room-list" ref={listRef} onKeyDown={onKey} aria-label={archived ? t('chat.archivedRooms') : t('chat.rooms')}>
        {shown.map((r) => {
          const unread = rec[r.id]?.unread ?? 0;
          const last = rec[r.id];
          return (
            <li key={r.id}>
              <Link
                to={`/room/${encodeURIComponent(r.id)}`}
                className={`room-link${r.id === activeId ? ' active' : ''}${unread ? ' has-unread' : ''}`}
                aria-current={r.id === activeId ? 'page' : undefined}
                aria-label={unread ? `${r.name}, ${t('chat.unreadCount', { n: badge(unread) })}` : r.name}
              >
                <span className="room-link-top">
                  {r.pinnedAt && (
                    <span className="pin" aria-hidden="true" title={t('chat.pinned')}>
                      <Icon name="pin" size={13} />
                    </span>
                  )}
                  <span className="room-name">{r.name}</span>
                  {r.broadcastMode && <span className="tag">{t('chat.broadcast')}</span>}
                  {unread > 0 && (
                    <span className="unread-badge" aria-hidden="true">
                      {badge(unread)}
                    </span>
                  )}
                </span>
                {last && (
                  <span className="room-preview" aria-hidden="true">
                    {last.senderName}: {last.content.slice(0, 80)}
                  </span>
                )}
              </Link>
            </li>
          );
        })}
      </ul>
      {showBookmarks && <BookmarksDialog onClose={() => setShowBookmarks(false)} />}
    </div>
  );
}

export function goToRoom(id: string): void {
  navigate(`/room/${encodeURIComponent(id)}`);
}
