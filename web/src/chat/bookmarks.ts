// The user's bookmarks, loaded once, toggled from any message.
import { observable, useObservable } from '../lib/observable';
import * as rest from '../api/rooms';
import { toast } from '../components/Toast';
import { t } from '../i18n';

export const bookmarks = observable<rest.Bookmark[] | null>(null);
let loading = false;

export function useBookmarks(): rest.Bookmark[] {
  const list = useObservable(bookmarks);
  if (list === null && !loading) {
    loading = true;
    void rest.listBookmarks().then(
      (page) => bookmarks.set(page.items ?? []),
      () => bookmarks.set([]),
    );
  }
  return list ?? [];
}

export function bookmarkIdFor(messageId: string): string | undefined {
  return bookmarks.get()?.find((b) => b.messageId === messageId)?.id;
}

export async function toggleBookmark(messageId: string): Promise<void> {
  const id = bookmarkIdFor(messageId);
  try {
    if (id) {
      await rest.removeBookmark(id);
      bookmarks.update((l) => (l ?? []).filter((b) => b.id !== id));
      toast(t('chat.bookmarkRemoved'), 'success');
    } else {
      const b = await rest.addBookmark(messageId);
      bookmarks.update((l) => [b, ...(l ?? [])]);
      toast(t('chat.bookmarked'), 'success');
    }
  } catch (e) {
    toast((e as Error).message, 'error');
  }
}
