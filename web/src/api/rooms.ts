// Rooms, members, messages, bookmarks (http-api §6, §7, §12).
import { api, apiEnvelope } from './http';
import type { Message, Reaction } from '../state/types';

export interface Room {
  id: string;
  name: string;
  type: 'private' | 'group';
  broadcastMode: boolean;
  systemPrompt?: string | null;
  routerId?: string | null;
  agentCommandRole?: 'member' | 'admin' | 'owner';
  createdById: string;
  pinnedAt?: string | null;
  archivedAt?: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface RoomMember {
  roomId: string;
  memberId: string;
  memberType: 'user' | 'agent';
  role: 'owner' | 'admin' | 'member';
  roleDescription?: string | null;
  notificationPref?: 'all' | 'mentions' | 'none';
  lastReadAt?: string | null;
  joinedAt?: string;
  displayName?: string;
}

export interface RecentEntry {
  content: string;
  senderName: string;
  createdAt: string;
  unread: number;
}

export interface HistoryPage {
  items: Message[];
  nextCursor?: string;
  hasMore: boolean;
}

export const listRooms = () => api<Room[]>('GET', '/rooms');
export const createRoom = (body: { name: string; type?: 'group' | 'private'; broadcastMode?: boolean; memberIds?: string[] }) => api<Room>('POST', '/rooms', body);
export const updateRoom = (id: string, body: Partial<Pick<Room, 'name' | 'broadcastMode' | 'systemPrompt' | 'routerId' | 'agentCommandRole'>>) => api<Room>('PUT', `/rooms/${encodeURIComponent(id)}`, body);
export const deleteRoom = (id: string) => api<void>('DELETE', `/rooms/${encodeURIComponent(id)}`);
export const listMembers = (id: string) => api<RoomMember[]>('GET', `/rooms/${encodeURIComponent(id)}/members?limit=500`);
export const addMember = (id: string, memberId: string, memberType: 'user' | 'agent') => api<void>('POST', `/rooms/${encodeURIComponent(id)}/members`, { memberId, memberType });
export const removeMember = (id: string, memberId: string) => api<void>('DELETE', `/rooms/${encodeURIComponent(id)}/members/${encodeURIComponent(memberId)}`);
export const clearRoom = (id: string) => api<{ clearedAt: string }>('PUT', `/rooms/${encodeURIComponent(id)}/clear`);
export const togglePin = (id: string) => api<{ pinned: boolean }>('PUT', `/rooms/${encodeURIComponent(id)}/pin`);
export const toggleArchive = (id: string) => api<{ archived: boolean }>('PUT', `/rooms/${encodeURIComponent(id)}/archive`);
export const setNotificationPref = (id: string, pref: 'all' | 'mentions' | 'none') => api<void>('PUT', `/rooms/${encodeURIComponent(id)}/notification-pref`, { pref });

export const recentMessages = () => api<Record<string, RecentEntry>>('GET', '/messages/recent');
export const markAllRead = () => api<void>('POST', '/messages/mark-all-read');
export const markRoomRead = (roomId: string) => api<void>('POST', `/messages/rooms/${encodeURIComponent(roomId)}/read`);
export function history(roomId: string, opts: { cursor?: string; after?: string; limit?: number } = {}) {
  const q = new URLSearchParams();
  q.set('limit', String(opts.limit ?? 50));
  if (opts.cursor) q.set('cursor', opts.cursor);
  if (opts.after) q.set('after', opts.after);
  return api<HistoryPage>('GET', `/messages/rooms/${encodeURIComponent(roomId)}?${q}`);
}
export interface SearchFilters {
  q: string;
  roomId?: string;
  senderId?: string;
  senderType?: 'user' | 'agent' | 'system';
  dateFrom?: string;
  dateTo?: string;
}
export async function searchMessages(f: SearchFilters): Promise<Message[]> {
  const q = new URLSearchParams({ q: f.q, limit: '50' });
  for (const k of ['roomId', 'senderId', 'senderType', 'dateFrom', 'dateTo'] as const) if (f[k]) q.set(k, f[k]!);
  const data = await api<Message[] | { items: Message[] }>('GET', `/messages/search?${q}`);
  return Array.isArray(data) ? data : data.items ?? [];
}
export const editMessage = (id: string, content: string) => api<Message>('PUT', `/messages/${encodeURIComponent(id)}`, { content });
export const deleteMessage = (id: string) => api<void>('DELETE', `/messages/${encodeURIComponent(id)}`);
export const toggleReaction = (id: string, emoji: string) => api<Reaction[]>('POST', `/messages/${encodeURIComponent(id)}/reactions`, { emoji });
export async function thread(id: string): Promise<Message[]> {
  const env = await apiEnvelope<Message[]>('GET', `/messages/${encodeURIComponent(id)}/thread`);
  return env.data ?? [];
}
export const forwardMessage = (id: string, targetRoomId: string) => api<Message>('POST', `/messages/${encodeURIComponent(id)}/forward`, { targetRoomId });

export interface Bookmark {
  id: string;
  messageId: string;
  note: string;
  createdAt: string;
  message?: { roomId: string; senderName: string; content: string; createdAt: string };
}
export const listBookmarks = () => api<{ items: Bookmark[]; hasMore: boolean }>('GET', '/bookmarks?limit=100');
export const addBookmark = (messageId: string) => api<Bookmark>('POST', '/bookmarks', { messageId });
export const removeBookmark = (id: string) => api<void>('DELETE', `/bookmarks/${encodeURIComponent(id)}`);

export interface UploadResult {
  id: string;
  filename: string;
  mimeType: string;
  size: number;
  url: string;
}

export interface AgentSummary {
  id: string;
  name: string;
  type: string;
  status: 'online' | 'offline' | 'busy' | 'error';
  model?: string;
  slashCommands?: { name: string; description: string; usage: string; source: string }[];
  capabilities?: string[];
  ownerName?: string;
}
export async function myAgents(): Promise<AgentSummary[]> {
  return api<AgentSummary[]>('GET', '/agents?limit=500');
}
export async function sharedAgents(): Promise<AgentSummary[]> {
  return api<AgentSummary[]>('GET', '/agents/shared?limit=500');
}
export interface UserSummary {
  id: string;
  username: string;
  displayName: string;
  avatarUrl?: string | null;
}
export const searchUsers = (q: string) => api<UserSummary[]>('GET', `/users/search?q=${encodeURIComponent(q)}`);
export interface RouterSummary {
  id: string;
  name: string;
}
export const listRouters = () => api<RouterSummary[]>('GET', '/routers');
