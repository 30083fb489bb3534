// Typed calls for /api/admin/settings (http-api.md §13) and Web Push (§15).
import { api } from './http';

export type SettingType = 'string' | 'number' | 'boolean' | 'enum';
export interface SettingItem {
  key: string;
  value: string;
  type: SettingType;
  sensitive: boolean;
  enumValues?: string[];
  min?: number;
  max?: number;
  labelKey: string;
  descKey: string;
  source: 'db' | 'env' | 'default';
  /** When a saved value takes effect: at once on every server process, or at their next start. */
  applies?: 'live' | 'restart';
}
export type SettingsGroups = Record<string, SettingItem[]>;

export const SETTING_GROUPS = [
  'general',
  'security',
  'storage',
  'rateLimit',
  'connections',
  'aiRouter',
  'pushNotifications',
  'maintenance',
] as const;

export const getAdminSettings = () => api<SettingsGroups>('GET', '/admin/settings');
export const saveAdminSettings = (changes: Record<string, string>) =>
  api<{ updated: string[] }>('PUT', '/admin/settings', { changes });

export const getVapidKey = () => api<{ publicKey: string }>('GET', '/push/vapid-key');
export const pushSubscribe = (subscription: PushSubscriptionJSON) =>
  api<unknown>('POST', '/push/subscribe', subscription);
export const pushUnsubscribe = (endpoint: string) => api<unknown>('POST', '/push/unsubscribe', { endpoint });
