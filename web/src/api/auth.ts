// Auth endpoints (http-api §3, §4).
import { api, setAccessToken } from './http';
import type { SessionUser } from '../stores/session';

export type LoginAnswer =
  | { user: SessionUser; accessToken: string; refreshToken?: string }
  | { totpRequired: true; totpToken: string };

export function login(username: string, password: string): Promise<LoginAnswer> {
  return api<LoginAnswer>('POST', '/auth/login', { username, password });
}

export function verifyTotp(totpToken: string, code: string): Promise<{ user: SessionUser; accessToken: string }> {
  return api('POST', '/auth/verify-totp', { totpToken, code });
}

/** Configured OAuth providers; [] when the call fails (the buttons then stay hidden). */
export async function oauthProviders(): Promise<string[]> {
  try {
    const res = await fetch('/api/auth/oauth/providers', { credentials: 'same-origin' });
    const env = (await res.json()) as { ok: boolean; data?: unknown };
    return Array.isArray(env.data) ? env.data.filter((p): p is string => p === 'github' || p === 'google') : [];
  } catch {
    return [];
  }
}

export { setAccessToken };
