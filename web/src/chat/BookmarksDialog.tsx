// My bookmarks, newest first; one opens its room, or can be removed.
import { Dialog } from '../components/Dialog';
import { useT, formatDateTime } from '../i18n';
import { useBookmarks, toggleBookmark } from './bookmarks';
import { navigate } from '../app/router';

export function BookmarksDialog({ onClose }: { onClose: () => void }) {
  const t = useT();
  const list = useBookmarks();
  return (
    <Dialog title={t('chat.bookmarks')} onClose={onClose} size="md">
      {list.length === 0 ? (
        <p className="muted">{t('chat.noBookmarks')}</p>
      ) : (
        <ul className="pick-list">
          {list.map((b) => (
            <li key={b.id}>
              <button
                type="button"
                className="search-hit"
                onClick={() => {
                  onClose();
                  if (b.message) navigate(`/room/${encodeURIComponent(b.message.roomId)}`);
                }}
              >
                <span className="search-hit-head">
                  <strong>{b.message?.senderName}</strong> · {b.message ? formatDateTime(b.message.createdAt) : ''}
                </span>
                <span className="search-hit-body">{b.message?.content.slice(0, 200)}</span>
              </button>
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => void toggleBookmark(b.messageId)}>
                {t('chat.removeBookmark')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}
