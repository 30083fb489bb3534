// The app's draft store: IndexedDB (`kv`, keys `draft:<userId>:<roomId>`), the old client's
// localStorage drafts moved over once, everything dropped at sign-out.
import { createDraftStore } from '../state/drafts';
import { idbDelete, idbGet, idbKeys, idbPut } from '../lib/idb';
import { onSignOut } from '../stores/session';

export const drafts = createDraftStore(
  {
    get: (key) => idbGet<string>('kv', key),
    put: async (key, text) => (await idbPut('kv', text, key)) !== undefined,
    delete: async (key) => void (await idbDelete('kv', key)),
    keys: () => idbKeys('kv'),
  },
  () => (typeof localStorage === 'undefined' ? null : localStorage),
);

onSignOut(() => void drafts.clear());

// Keystrokes of the last pause go to IndexedDB before the page is hidden or closed.
if (typeof window !== 'undefined') {
  window.addEventListener('pagehide', () => void drafts.flush());
  document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && void drafts.flush());
}
