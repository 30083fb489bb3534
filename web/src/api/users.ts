// Typed calls for /api/users (http-api.md §5), the TOTP endpoints (§3.5–3.7), OAuth links (§4)
// and the avatar upload (§11.2).
import { api, apiEnvelope, uploadFile } from './http';

export type Role = 'admin' | 'user';

export interface Me {
  id: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
  role: Role;
  totpEnabled?: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface AdminUserRow {
  id: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
  role: Role;
  maxWsConnections: number | null;
  maxGateways: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface OAuthAccount {
  id: string;
  provider: string;
  providerAccountId: string;
  email: string | null;
  displayName: string | null;
  avatarUrl: string | null;
  createdAt: string;
  updatedAt: string;
}

export const getMe = () => api<Me>('GET', '/users/me');
export const updateMe = (body: { displayName?: string }) => api<Me>('PUT', '/users/me', body);
export const changePassword = (currentPassword: string, newPassword: string) =>
  api<unknown>('PUT', '/users/me/password', { currentPassword, newPassword });
export const uploadAvatar = (file: File, onProgress?: (fraction: number) => void) =>
  uploadFile<{ avatarUrl: string }>('/upload/avatar', file, onProgress);

export const listOAuthAccounts = () => api<OAuthAccount[]>('GET', '/users/me/oauth-accounts');
export const listOAuthProviders = () => api<string[]>('GET', '/auth/oauth/providers');
export const linkOAuth = (provider: string) =>
  api<{ url: string }>('POST', `/auth/oauth/${encodeURIComponent(provider)}/link`);
export const unlinkOAuth = (provider: string) =>
  api<unknown>('DELETE', `/auth/oauth/${encodeURIComponent(provider)}/unlink`);

export const setupTotp = () => api<{ secret: string; uri: string }>('POST', '/auth/setup-totp');
export const verifyTotpSetup = (code: string) =>
  api<{ backupCodes: string[] }>('POST', '/auth/verify-totp-setup', { code });
export const disableTotp = (password: string) => api<unknown>('POST', '/auth/disable-totp', { password });

/** Every account (pages of 500, the hub's maximum, following `total`), oldest first. */
export async function listUsers(max = 10_000): Promise<{ users: AdminUserRow[]; total: number }> {
  const users: AdminUserRow[] = [];
  let total = 0;
  for (let offset = 0; offset < max; offset += 500) {
    const env = await apiEnvelope<AdminUserRow[]>('GET', `/users?limit=500&offset=${offset}`);
    const page = env.data ?? [];
    users.push(...page);
    total = typeof env.total === 'number' ? env.total : users.length;
    if (page.length < 500 || users.length >= total) break;
  }
  return { users, total };
}

/** The create answer has no avatar or limits (§5.7). */
export type CreatedUser = Pick<AdminUserRow, 'id' | 'username' | 'displayName' | 'role' | 'createdAt' | 'updatedAt'>;
export const createUser = (body: { username: string; password: string; displayName?: string; role: Role }) =>
  api<CreatedUser>('POST', '/users', body);

export interface AdminUserUpdate {
  displayName?: string;
  role?: Role;
  password?: string;
  maxWsConnections?: number | null;
  maxGateways?: number | null;
}
export const updateUser = (id: string, body: AdminUserUpdate) =>
  api<AdminUserRow>('PUT', `/users/${encodeURIComponent(id)}`, body);
export const deleteUser = (id: string) => api<unknown>('DELETE', `/users/${encodeURIComponent(id)}`);
