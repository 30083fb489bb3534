// Who is signed in. The access token lives in memory (api/http); the user object is also kept
// in localStorage, without any token, so an offline start can still show cached rooms.
import { observable, useObservable } from '../lib/observable';
import { api, onUnauthorized, refreshAccessToken, setAccessToken, getAccessToken } from '../api/http';

export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
  role: 'admin' | 'user';
  totpEnabled: boolean;
}

export type SessionStatus = 'unknown' | 'signed-in' | 'signed-out';
export interface SessionState {
  status: SessionStatus;
  user: SessionUser | null;
  /** true when the user came from the local cache because the hub could not be reached */
  offline: boolean;
}

const USER_KEY = 'agentim.user';
export const session = observable<SessionState>({ status: 'unknown', user: null, offline: false });
const signOutListeners = new Set<() => void>();

export function useSession(): SessionState {
  return useObservable(session);
}

export function currentUser(): SessionUser | null {
  return session.get().user;
}

function cacheUser(user: SessionUser | null) {
  try {
    if (user) localStorage.setItem(USER_KEY, JSON.stringify(user));
    else localStorage.removeItem(USER_KEY);
  } catch {
    /* storage may be unavailable */
  }
}

function cachedUser(): SessionUser | null {
  try {
    const raw = localStorage.getItem(USER_KEY);
    return raw ? (JSON.parse(raw) as SessionUser) : null;
  } catch {
    return null;
  }
}

/** After a login answer (or OAuth): keep the token and the user. */
export function signedIn(user: SessionUser, accessToken: string | null): void {
  if (accessToken) setAccessToken(accessToken);
  cacheUser(user);
  session.set({ status: 'signed-in', user, offline: false });
}

export function setUser(user: SessionUser): void {
  cacheUser(user);
  session.update((s) => ({ ...s, user }));
}

/** Restores a session from the refresh cookie; falls back to the cached user when offline. */
export async function restoreSession(): Promise<void> {
  // Without a user from an earlier sign-in there is no refresh cookie worth trying (OAuth's
  // callback page refreshes by itself), so an anonymous visit makes no failing request.
  if (!getAccessToken() && !cachedUser()) {
    session.set({ status: 'signed-out', user: null, offline: false });
    return;
  }
  const token = getAccessToken() ?? (await refreshAccessToken());
  if (token) {
    try {
      const user = await api<SessionUser>('GET', '/users/me');
      signedIn(user, null);
      return;
    } catch {
      /* fall through */
    }
  }
  const cached = cachedUser();
  if (cached && !navigator.onLine) {
    session.set({ status: 'signed-in', user: cached, offline: true });
    return;
  }
  if (cached && !token) {
    // The hub may be down rather than the session over: probe it.
    const reachable = await fetch('/api/health').then((r) => r.status < 500, () => false);
    if (!reachable) {
      session.set({ status: 'signed-in', user: cached, offline: true });
      return;
    }
  }
  cacheUser(null);
  session.set({ status: 'signed-out', user: null, offline: false });
}

export function onSignOut(listener: () => void): () => void {
  signOutListeners.add(listener);
  return () => signOutListeners.delete(listener);
}

function clearLocal() {
  setAccessToken(null);
  cacheUser(null);
  session.set({ status: 'signed-out', user: null, offline: false });
  for (const l of [...signOutListeners]) l();
}

export async function signOut(): Promise<void> {
  try {
    await api('POST', '/auth/logout', {});
  } catch {
    /* the local session ends anyway */
  }
  clearLocal();
}

onUnauthorized(() => {
  if (session.get().status === 'signed-in') clearLocal();
});
