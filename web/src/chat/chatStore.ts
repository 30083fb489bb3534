// The chat's live data: the reducer's state plus rooms, unread counts, members, agents and
// presence, fed by REST and the socket; typed-offline messages kept in IndexedDB and sent
// with a clientMessageId once the socket is back.
import { observable } from '../lib/observable';
import { connect, disconnect, isAuthenticated, on, reconnect, send } from '../realtime/socket';
import { emptyChat, echoedClientId, pageEchoes, reduce, type ChatAction } from '../state/roomState';
import type { ChatState, Message, UnsentMessage } from '../state/types';
import * as rest from '../api/rooms';
import { idbAll, idbDelete, idbGet, idbPut, idbClear } from '../lib/idb';
import { currentUser, onSignOut, session } from '../stores/session';
import { toast } from '../components/Toast';
import { t } from '../i18n';
import { notifyMessage } from './notify';
import { pageTitle, totalUnread } from '../state/roomList';
import { refreshAccessToken } from '../api/http';
import { signOut } from '../stores/session';

export const chat = observable<ChatState>(emptyChat());
export const rooms = observable<rest.Room[]>([]);
export const roomsLoaded = observable(false);
export const recent = observable<Record<string, rest.RecentEntry>>({});
export const members = observable<Record<string, rest.RoomMember[]>>({});
export const agents = observable<Record<string, rest.AgentSummary>>({});
export const onlineUsers = observable<Record<string, boolean>>({});
export const activeRoomId = observable<string | null>(null);
/** true when what is shown came from the offline cache */
export const fromCache = observable(false);
/** agent settings panel data from server:agent_info, by agent id */
export const agentInfo = observable<Record<string, Record<string, unknown>>>({});

export function dispatch(action: ChatAction): void {
  flushChunks();
  chat.set(reduce(chat.get(), action));
}

// Chunks can arrive by the thousand per second: fold them into the state once per frame.
let chunkBuffer: ChatAction[] = [];
let chunkFrame = 0;
function flushChunks() {
  if (!chunkBuffer.length) return;
  const batch = chunkBuffer;
  chunkBuffer = [];
  if (chunkFrame) cancelAnimationFrame(chunkFrame);
  chunkFrame = 0;
  let s = chat.get();
  for (const a of batch) s = reduce(s, a);
  chat.set(s);
}
function queueChunk(a: ChatAction) {
  chunkBuffer.push(a);
  if (!chunkFrame) chunkFrame = requestAnimationFrame(() => {
    chunkFrame = 0;
    flushChunks();
  });
}

const unsent = new Map<string, UnsentMessage>();
/** when each unsent message last went out; no echo within 15 s marks it failed (Retry is safe) */
const sentAt = new Map<string, number>();
const joined = new Set<string>();

function selfId(): string | undefined {
  return currentUser()?.id;
}

function newId(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : Math.random().toString(36).slice(2) + Date.now().toString(36);
}

// ---------- rooms and unread ----------

function updateTitle() {
  document.title = pageTitle(totalUnread(rooms.get(), recent.get()));
}
recent.subscribe(updateTitle);
rooms.subscribe(updateTitle);

export async function loadRooms(): Promise<void> {
  try {
    const [list, rec] = await Promise.all([rest.listRooms(), rest.recentMessages()]);
    rooms.set(list);
    recent.set(rec);
    roomsLoaded.set(true);
    fromCache.set(false);
    void idbPut('kv', { rooms: list, recent: rec }, `rooms:${selfId()}`);
    for (const room of list) if (!joined.has(room.id)) joinRoom(room.id);
  } catch (e) {
    const cached = await idbGet<{ rooms: rest.Room[]; recent: Record<string, rest.RecentEntry> }>('kv', `rooms:${selfId()}`);
    if (cached) {
      rooms.set(cached.rooms);
      recent.set(cached.recent);
      fromCache.set(true);
    }
    roomsLoaded.set(true);
    if (!cached) throw e;
  }
}

export function upsertRoom(room: rest.Room): void {
  rooms.update((list) => {
    const i = list.findIndex((r) => r.id === room.id);
    if (i < 0) return [...list, room];
    const next = list.slice();
    next[i] = { ...list[i], ...room, pinnedAt: room.pinnedAt !== undefined ? room.pinnedAt : list[i].pinnedAt, archivedAt: room.archivedAt !== undefined ? room.archivedAt : list[i].archivedAt };
    return next;
  });
}

function removeRoomLocally(roomId: string) {
  rooms.update((list) => list.filter((r) => r.id !== roomId));
  joined.delete(roomId);
  dispatch({ type: 'roomRemoved', roomId });
  for (const a of Object.values(chat.get().approvals)) if (a.roomId === roomId && a.status === 'pending') dispatch({ type: 'permissionExpired', requestId: a.requestId });
  if (activeRoomId.get() === roomId) activeRoomId.set(null);
}

export function setUnread(roomId: string, unread: number): void {
  recent.update((r) => (r[roomId] ? { ...r, [roomId]: { ...r[roomId], unread } } : r));
}

export async function markRead(roomId: string): Promise<void> {
  setUnread(roomId, 0);
  try {
    await rest.markRoomRead(roomId);
  } catch {
    /* offline: the count is refreshed later */
  }
}

export async function markAllRead(): Promise<void> {
  await rest.markAllRead();
  recent.update((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, { ...v, unread: 0 }])));
}

// ---------- joining and history ----------

/** Joins a room on the socket, asking the hub to replay what came after our last seq. */
export function joinRoom(roomId: string): void {
  joined.add(roomId);
  if (!isAuthenticated()) return; // joined for real after auth
  const r = chat.get().rooms[roomId];
  const frame: { type: string; roomId: string; lastSeq?: number } = { type: 'client:join_room', roomId };
  if (r?.loaded && r.lastSeq > 0) frame.lastSeq = r.lastSeq;
  send(frame);
}

function cacheRoomMessages(roomId: string) {
  const r = chat.get().rooms[roomId];
  if (!r) return;
  void idbPut('messages', r.messages.filter((m) => !m.local).slice(-100), `${selfId()}:${roomId}`);
}

const loading = new Set<string>();
export async function loadHistory(roomId: string, mode: 'replace' | 'older' = 'replace'): Promise<void> {
  const key = `${roomId}:${mode}`;
  if (loading.has(key)) return;
  loading.add(key);
  try {
    const r = chat.get().rooms[roomId];
    const page = await rest.history(roomId, { cursor: mode === 'older' ? r?.nextCursor : undefined, limit: 50 });
    for (const id of pageEchoes(chat.get(), roomId, page.items, selfId()).values()) forgetUnsent(id);
    dispatch({ type: 'history', roomId, items: page.items, hasMore: page.hasMore, nextCursor: page.nextCursor, mode, selfId: selfId() });
    cacheRoomMessages(roomId);
    if (mode === 'replace') fromCache.set(false);
  } catch (e) {
    if (mode === 'replace' && !chat.get().rooms[roomId]?.loaded) {
      const cached = await idbGet<Message[]>('messages', `${selfId()}:${roomId}`);
      if (cached) {
        dispatch({ type: 'history', roomId, items: cached, hasMore: false, mode: 'merge' });
        fromCache.set(true);
        return;
      }
    }
    throw e;
  } finally {
    loading.delete(key);
  }
}

export async function loadMembers(roomId: string): Promise<void> {
  try {
    const list = await rest.listMembers(roomId);
    members.update((m) => ({ ...m, [roomId]: list }));
    // Read marks we already know from the member rows (receipts only arrive for later reads).
    const reads = chat.get().rooms[roomId]?.reads ?? {};
    for (const m of list) {
      if (m.memberType === 'user' && m.lastReadAt && !reads[m.memberId]) dispatch({ type: 'read', roomId, userId: m.memberId, username: m.displayName ?? m.memberId, lastReadAt: m.lastReadAt });
    }
  } catch {
    /* keep what we have */
  }
}

export async function loadAgents(): Promise<void> {
  const [own, shared] = await Promise.all([rest.myAgents().catch(() => []), rest.sharedAgents().catch(() => [])]);
  const map: Record<string, rest.AgentSummary> = {};
  for (const a of [...shared, ...own]) map[a.id] = a;
  agents.set(map);
}

// ---------- sending ----------

export function sendMessage(roomId: string, content: string, opts: { replyToId?: string; attachments?: rest.UploadResult[] } = {}): void {
  const user = currentUser();
  if (!user) return;
  const u: UnsentMessage = {
    clientMessageId: newId(),
    roomId,
    content,
    replyToId: opts.replyToId,
    attachmentIds: opts.attachments?.map((a) => a.id),
    attachments: opts.attachments?.map((a) => ({ ...a, messageId: '' })),
    senderId: user.id,
    senderName: user.username,
    createdAt: new Date().toISOString(),
  };
  unsent.set(u.clientMessageId, u);
  void idbPut('unsent', { ...u, owner: user.id });
  dispatch({ type: 'queue', unsent: u });
  trySend(u);
}

function trySend(u: UnsentMessage) {
  if (!isAuthenticated()) return;
  joinIfNeeded(u.roomId);
  const frame: Record<string, unknown> = { type: 'client:send_message', roomId: u.roomId, content: u.content, mentions: [], clientMessageId: u.clientMessageId };
  if (u.replyToId) frame.replyToId = u.replyToId;
  if (u.attachmentIds?.length) frame.attachmentIds = u.attachmentIds;
  if (send(frame as { type: string }, false)) {
    sentAt.set(u.clientMessageId, Date.now());
    dispatch({ type: 'unsentStatus', clientMessageId: u.clientMessageId, roomId: u.roomId, status: 'sending' });
  }
}

function joinIfNeeded(roomId: string) {
  if (!joined.has(roomId)) joinRoom(roomId);
}

export function discardUnsent(clientMessageId: string, roomId: string): void {
  unsent.delete(clientMessageId);
  void idbDelete('unsent', clientMessageId);
  dispatch({ type: 'unsentDrop', clientMessageId, roomId });
}

export function retryUnsent(clientMessageId: string): void {
  const u = unsent.get(clientMessageId);
  if (u) trySend(u);
}

async function restoreUnsent() {
  const user = currentUser();
  if (!user) return;
  const all = await idbAll<UnsentMessage & { owner: string }>('unsent');
  for (const u of all) {
    if (u.owner !== user.id || unsent.has(u.clientMessageId)) continue;
    unsent.set(u.clientMessageId, u);
    dispatch({ type: 'queue', unsent: u });
  }
}

function forgetUnsent(clientMessageId: string) {
  unsent.delete(clientMessageId);
  sentAt.delete(clientMessageId);
  void idbDelete('unsent', clientMessageId);
}

function confirmEcho(message: Message) {
  const matched = echoedClientId(chat.get(), message, selfId());
  if (matched) forgetUnsent(matched);
}

// ---------- realtime ----------

export function sendTyping(roomId: string): void {
  send({ type: 'client:typing', roomId }, false);
}

export function stopGeneration(roomId: string, agentId: string): void {
  send({ type: 'client:stop_generation', roomId, agentId }, false);
}

export function answerPermission(requestId: string, decision: 'allow' | 'allowAlways' | 'deny', denyReason?: string): boolean {
  const a = chat.get().approvals[requestId];
  if (!a) return false;
  joinIfNeeded(a.roomId);
  const frame: Record<string, unknown> = { type: 'client:permission_response', requestId, decision };
  if (denyReason) frame.denyReason = denyReason.slice(0, 500);
  const ok = send(frame as { type: string }, false);
  if (ok) dispatch({ type: 'permissionAnswered', requestId, decision });
  return ok;
}

export function agentCommand(roomId: string, agentId: string, command: string, args = ''): void {
  send({ type: 'client:agent_command', roomId, agentId, command, args }, false);
}

export function queryAgentInfo(agentId: string, roomId?: string): void {
  send(roomId ? { type: 'client:query_agent_info', agentId, roomId } : { type: 'client:query_agent_info', agentId }, false);
}

function memberName(roomId: string, id: string): string | undefined {
  return members.get()[roomId]?.find((m) => m.memberId === id)?.displayName;
}
export { memberName };

let started = 0;
let authFailures = 0;
let tickTimer: ReturnType<typeof setInterval> | null = null;
let roomPoll: ReturnType<typeof setInterval> | null = null;
function onVisible() {
  if (document.visibilityState === 'visible' && roomsLoaded.get()) void loadRooms().catch(() => undefined);
}
const offs: (() => void)[] = [];

/** Someone who types or posts is online, whatever presence we missed before we connected. */
function seenActive(userId: string) {
  if (!onlineUsers.get()[userId]) onlineUsers.update((o) => ({ ...o, [userId]: true }));
}

function handleNewMessage(m: Message, replay = false) {
  if (m.senderType === 'user' && !replay && Date.now() - Date.parse(m.createdAt) < 60_000) seenActive(m.senderId);
  confirmEcho(m);
  dispatch({ type: 'message', message: m, selfId: selfId() });
  afterIncoming(m, replay);
}

function afterIncoming(m: Message, replay = false) {
  const me = selfId();
  recent.update((r) => {
    const prev = r[m.roomId];
    const viewing = activeRoomId.get() === m.roomId && document.visibilityState === 'visible';
    const unread = (prev?.unread ?? 0) + (m.senderId !== me && !viewing ? 1 : 0);
    return { ...r, [m.roomId]: { content: m.content, senderName: m.senderName, createdAt: m.createdAt, unread } };
  });
  if (activeRoomId.get() === m.roomId && document.visibilityState === 'visible') void markReadSoon(m.roomId);
  if (!replay && m.senderId !== me) {
    const room = rooms.get().find((r) => r.id === m.roomId);
    const pref = members.get()[m.roomId]?.find((x) => x.memberId === me)?.notificationPref ?? 'all';
    notifyMessage(m, room?.name ?? '', pref, activeRoomId.get() === m.roomId);
  }
  cacheSoon(m.roomId);
}

const readTimers = new Map<string, ReturnType<typeof setTimeout>>();
function markReadSoon(roomId: string) {
  if (readTimers.has(roomId)) return;
  readTimers.set(
    roomId,
    setTimeout(() => {
      readTimers.delete(roomId);
      void markRead(roomId);
    }, 1000),
  );
}
const cacheTimers = new Map<string, ReturnType<typeof setTimeout>>();
function cacheSoon(roomId: string) {
  if (cacheTimers.has(roomId)) return;
  cacheTimers.set(
    roomId,
    setTimeout(() => {
      cacheTimers.delete(roomId);
      cacheRoomMessages(roomId);
    }, 2000),
  );
}

function wire() {
  offs.push(
    on('server:auth_result', (f) => {
      if (!f.ok) {
        // A rejected token ends the session only when a refresh cannot fix it (the socket retries).
        if (/too many|capacity/i.test(String(f.error ?? ''))) {
          toast(String(f.error), 'error');
          return;
        }
        authFailures++;
        void refreshAccessToken().then((token) => {
          if (token && authFailures < 3) reconnect();
          else void signOut();
        });
        return;
      }
      authFailures = 0;
      if (session.get().offline) session.update((st) => ({ ...st, offline: false }));
      for (const roomId of joined) joinRoom(roomId);
      for (const u of unsent.values()) trySend(u);
      if (roomsLoaded.get()) void loadRooms().catch(() => undefined);
      const active = activeRoomId.get();
      if (active && (fromCache.get() || !chat.get().rooms[active]?.loaded)) void loadHistory(active).catch(() => undefined);
    }),
    on('server:new_message', (f) => handleNewMessage(f.message as Message)),
    on('server:message_chunk', (f) => queueChunk({ type: 'chunk', roomId: f.roomId, agentId: f.agentId, agentName: f.agentName, messageId: f.messageId, chunk: f.chunk, now: Date.now() })),
    on('server:message_complete', (f) => {
      const m = f.message as Message;
      dispatch({ type: 'complete', message: m });
      afterIncoming(m);
    }),
    on('server:message_edited', (f) => dispatch({ type: 'edited', message: f.message })),
    on('server:message_deleted', (f) => dispatch({ type: 'deleted', roomId: f.roomId, messageId: f.messageId })),
    on('server:reaction_update', (f) => dispatch({ type: 'reactions', roomId: f.roomId, messageId: f.messageId, reactions: f.reactions })),
    on('server:room_cleared', (f) => dispatch({ type: 'cleared', roomId: f.roomId, clearedAt: f.clearedAt })),
    on('server:room_rewound', (f) => dispatch({ type: 'rewound', roomId: f.roomId, removedMessageIds: f.removedMessageIds })),
    on('server:history_gap', (f) => {
      dispatch({ type: 'gap', roomId: f.roomId });
      if (chat.get().rooms[f.roomId]?.loaded || activeRoomId.get() === f.roomId) void loadHistory(f.roomId).catch(() => undefined);
    }),
    on('server:typing', (f) => {
      if (f.userId !== selfId()) {
        seenActive(f.userId);
        dispatch({ type: 'typing', roomId: f.roomId, userId: f.userId, username: f.username, now: Date.now() });
      }
    }),
    on('server:read_receipt', (f) => dispatch({ type: 'read', roomId: f.roomId, userId: f.userId, username: f.username, lastReadAt: f.lastReadAt })),
    on('server:presence', (f) => onlineUsers.update((o) => ({ ...o, [f.userId]: !!f.online }))),
    on('server:agent_status', (f) => {
      const a = f.agent as rest.AgentSummary;
      const before = agents.get()[a.id]?.status;
      const up = (s?: string) => s === 'online' || s === 'busy';
      if (before && up(before) !== up(a.status)) {
        // Agents coming and going show as lines in the rooms they are in (one frame arrives per room).
        const now = new Date().toISOString();
        for (const [roomId, list] of Object.entries(members.get())) {
          if (list.some((m) => m.memberId === a.id))
            dispatch({ type: 'note', roomId, id: `note:${a.id}:${now.slice(0, 19)}`, content: t(up(a.status) ? 'chat.agentCameOnline' : 'chat.agentWentOffline', { name: a.name }), createdAt: now });
        }
      }
      dispatch({ type: 'agentStatus', agentId: a.id, status: a.status, now: Date.now() });
      agents.update((m) => ({ ...m, [a.id]: { ...m[a.id], ...a } }));
    }),
    on('server:agent_info', (f) => {
      const a = f.agent as Record<string, unknown> & { id: string };
      agentInfo.update((m) => ({ ...m, [a.id]: a }));
    }),
    on('server:agent_command_result', (f) => {
      const text = `/${f.command}: ${f.message ?? (f.success ? 'OK' : t('chat.commandFailed'))}`;
      toast(text, f.success ? 'success' : 'error');
    }),
    on('server:permission_request', (f) =>
      dispatch({ type: 'permission', request: { requestId: f.requestId, agentId: f.agentId, agentName: f.agentName, roomId: f.roomId, toolName: f.toolName, toolInput: f.toolInput ?? {}, expiresAt: f.expiresAt } }),
    ),
    on('server:permission_request_expired', (f) => dispatch({ type: 'permissionExpired', requestId: f.requestId })),
    on('server:room_update', (f) => {
      if (f.room) upsertRoom(f.room as rest.Room);
      void loadMembers((f.room as rest.Room).id);
    }),
    on('server:room_removed', (f) => removeRoomLocally(f.roomId)),
    on('server:error', (f) => {
      if (f.code === 'SESSION_REVOKED') {
        toast(t('auth.sessionExpired'), 'error');
        void signOut();
        return;
      }
      if (f.code === 'RATE_LIMITED' || f.code === 'ROOM_NOT_FOUND' || f.code === 'NOT_A_MEMBER' || f.code === 'PERMISSION_DENIED' || f.code === 'GATEWAY_OFFLINE' || f.code === 'PROTOCOL_VERSION_MISMATCH') {
        toast(typeof f.message === 'string' ? f.message : f.code, 'error');
      }
    }),
  );
}

/** Connects and wires the socket for the signed-in user; returns the teardown. */
export function startRealtime(): () => void {
  started++;
  if (started === 1) {
    wire();
    connect();
    void restoreUnsent();
    void loadRooms().catch(() => undefined);
    void loadAgents();
    tickTimer = setInterval(() => {
      const now = Date.now();
      dispatch({ type: 'tick', now });
      for (const [id, at] of sentAt) {
        const u = unsent.get(id);
        if (!u) sentAt.delete(id);
        else if (now - at > 15_000 && isAuthenticated()) {
          sentAt.delete(id);
          dispatch({ type: 'unsentStatus', clientMessageId: id, roomId: u.roomId, status: 'failed' });
        }
      }
    }, 1000);
    // Being added to a room sends nothing over the socket (http-api §6.2, §6.7): look again now and then.
    roomPoll = setInterval(() => document.visibilityState === 'visible' && isAuthenticated() && void loadRooms().catch(() => undefined), 30_000);
    document.addEventListener('visibilitychange', onVisible);
  }
  return () => {
    started--;
    if (started === 0) {
      for (const off of offs.splice(0)) off();
      if (tickTimer) clearInterval(tickTimer);
      if (roomPoll) clearInterval(roomPoll);
      document.removeEventListener('visibilitychange', onVisible);
      disconnect();
    }
  };
}

onSignOut(() => {
  chat.set(emptyChat());
  rooms.set([]);
  recent.set({});
  members.set({});
  roomsLoaded.set(false);
  unsent.clear();
  joined.clear();
  activeRoomId.set(null);
  void idbClear('messages');
  void idbClear('kv');
  void idbClear('unsent');
  // Uploads were cached without their token; they must not outlive the session.
  if (typeof caches !== 'undefined') void caches.delete('agentim-uploads-v1');
});

export function rewindRoom(roomId: string, messageId: string): boolean {
  return send({ type: 'client:rewind_room', roomId, messageId }, false);
}
