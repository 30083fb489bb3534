// Desktop notifications while the tab is hidden: mentions always, other messages for rooms
// that are not open (per the room's notification preference); closed after 8 s.
import type { Message } from '../state/types';
import { currentUser } from '../stores/session';

export function notificationsEnabled(): boolean {
  try {
    return localStorage.getItem('agentim.notifications') !== 'off';
  } catch {
    return true;
  }
}

export function notifyMessage(m: Message, roomName: string, pref: 'all' | 'mentions' | 'none', roomOpen: boolean): void {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted' || !notificationsEnabled()) return;
  if (document.visibilityState === 'visible') return;
  if (pref === 'none') return;
  const me = currentUser();
  const mentioned = !!me && (m.mentions?.includes(me.username) || m.content.includes(`@${me.username}`));
  if (!mentioned && (pref === 'mentions' || roomOpen)) return;
  try {
    const n = new Notification(roomName ? `${m.senderName} · ${roomName}` : m.senderName, {
      body: m.content.slice(0, 200),
      tag: `room-${m.roomId}`,
      icon: '/icon-192.png',
    });
    n.onclick = () => {
      window.focus();
      history.pushState(null, '', `/room/${encodeURIComponent(m.roomId)}`);
      dispatchEvent(new PopStateEvent('popstate'));
      n.close();
    };
    setTimeout(() => n.close(), 8000);
  } catch {
    /* some browsers only allow notifications from a service worker */
  }
}
