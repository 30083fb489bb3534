// The chat's state as a pure reducer: messages keyed and ordered by `seq`, de-duplication,
// live streams from chunks to the stored message, catch-up merges, pending approvals and
// locally typed messages. No DOM, no React: `node --test` drives it directly.
import type { ChatState, Chunk, LiveStream, Message, PendingApproval, Reaction, RoomState, UnsentMessage } from './types';

export const STREAM_CHUNK_CAP = 2000;
export const STREAM_STALE_MS = 30_000;
export const STREAM_MAX_AGE_MS = 60 * 60 * 1000;
export const TYPING_MS = 4000;

export type ChatAction =
  | { type: 'history'; roomId: string; items: Message[]; hasMore: boolean; nextCursor?: string; mode: 'replace' | 'older' | 'merge'; selfId?: string }
  | { type: 'message'; message: Message; selfId?: string }
  | { type: 'complete'; message: Message }
  | { type: 'chunk'; roomId: string; agentId: string; agentName: string; messageId: string; chunk: Chunk; now: number }
  | { type: 'edited'; message: Message }
  | { type: 'deleted'; roomId: string; messageId: string }
  | { type: 'reactions'; roomId: string; messageId: string; reactions: Reaction[] }
  | { type: 'cleared'; roomId: string; clearedAt: string }
  | { type: 'rewound'; roomId: string; removedMessageIds: string[] }
  | { type: 'gap'; roomId: string }
  | { type: 'agentStatus'; agentId: string; status: string; now: number }
  | { type: 'tick'; now: number }
  | { type: 'typing'; roomId: string; userId: string; username: string; now: number }
  | { type: 'read'; roomId: string; userId: string; username: string; lastReadAt: string }
  | { type: 'permission'; request: Omit<PendingApproval, 'status'> }
  | { type: 'permissionExpired'; requestId: string }
  | { type: 'permissionAnswered'; requestId: string; decision: 'allow' | 'allowAlways' | 'deny' }
  | { type: 'queue'; unsent: UnsentMessage }
  | { type: 'unsentStatus'; clientMessageId: string; roomId: string; status: 'queued' | 'sending' | 'failed' }
  | { type: 'unsentDrop'; clientMessageId: string; roomId: string }
  | { type: 'stopStream'; roomId: string; agentId: string }
  | { type: 'roomRemoved'; roomId: string }
  | { type: 'note'; roomId: string; id: string; content: string; createdAt: string };

export function emptyChat(): ChatState {
  return { rooms: {}, approvals: {}, agentDownSince: {} };
}

export function emptyRoom(roomId: string): RoomState {
  return { roomId, messages: [], lastSeq: 0, loaded: false, hasMore: false, needsReload: false, streams: {}, typing: {}, reads: {} };
}

/** Total order for display: by seq when both have one, else by time, local messages last. */
export function compareMessages(a: Message, b: Message): number {
  if (a.local && !b.local) return 1;
  if (!a.local && b.local) return -1;
  if (a.seq != null && b.seq != null && a.seq !== b.seq) return a.seq - b.seq;
  const t = Date.parse(a.createdAt) - Date.parse(b.createdAt);
  if (t !== 0 && !Number.isNaN(t)) return t;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function maxSeq(messages: Message[], start = 0): number {
  let s = start;
  for (const m of messages) if (!m.local && m.seq != null && m.seq > s) s = m.seq;
  return s;
}

/** A copy of `prev` updated from `m`; `prev` itself when nothing it shows would change, so a
 *  memoised message row keeps its identity and skips re-rendering (catch-up replays resend
 *  messages we already hold). */
function updated(prev: Message, m: Message): Message {
  const next: Message = { ...prev, ...m, seq: m.seq ?? prev.seq, reactions: m.reactions ?? prev.reactions, attachments: m.attachments ?? prev.attachments, local: undefined };
  if (prev.local) return next;
  for (const key of Object.keys(next) as (keyof Message)[]) {
    const a = prev[key];
    const b = next[key];
    if (Object.is(a, b)) continue;
    if (a !== undefined && b !== undefined && typeof a === 'object' && typeof b === 'object' && JSON.stringify(a) === JSON.stringify(b)) continue;
    return next;
  }
  return prev;
}

/** Merges two lists already in display order into one, in one linear pass. */
function mergeSorted(a: Message[], b: Message[]): Message[] {
  if (!b.length) return a;
  if (!a.length) return b;
  // The common cases: an older page goes in front, a live message at the end.
  if (compareMessages(b[b.length - 1], a[0]) <= 0) return b.concat(a);
  if (compareMessages(a[a.length - 1], b[0]) <= 0) return a.concat(b);
  const out: Message[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = compareMessages(b[j], a[i]) < 0 ? b[j++] : a[i++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

/**
 * Inserts or replaces messages by id, keeping order; existing fields a newer copy lacks are kept.
 * `existing` is in display order (every action keeps it so). Linear in its length plus
 * k log k for the k incoming messages: new ones are sorted among themselves and merged in one
 * pass, never a sort of the whole list; messages not in `incoming` keep their identity.
 */
export function mergeMessages(existing: Message[], incoming: Message[]): Message[] {
  if (!incoming.length) return existing;
  const index = new Map<string, number>();
  for (let i = 0; i < existing.length; i++) index.set(existing[i].id, i);
  let out = existing;
  let reorder = false;
  const fresh = new Map<string, Message>();
  for (const m of incoming) {
    const i = index.get(m.id);
    if (i != null) {
      const prev = out[i];
      const next = updated(prev, m);
      if (next === prev) continue;
      if (out === existing) out = existing.slice();
      out[i] = next;
      if (next.seq !== prev.seq || !!next.local !== !!prev.local) reorder = true;
    } else {
      const before = fresh.get(m.id);
      fresh.set(m.id, before ? updated(before, m) : m); // the same id twice in one batch is one message
    }
  }
  // A stored message whose seq changed (rare: a local copy confirmed in place) moves: re-sort.
  if (reorder) out = out.slice().sort(compareMessages);
  if (!fresh.size) return out;
  return mergeSorted(out, [...fresh.values()].sort(compareMessages));
}

function room(state: ChatState, roomId: string): RoomState {
  return state.rooms[roomId] ?? emptyRoom(roomId);
}

function withRoom(state: ChatState, roomId: string, fn: (r: RoomState) => RoomState): ChatState {
  const before = room(state, roomId);
  const after = fn(before);
  if (after === before && state.rooms[roomId]) return state;
  return { ...state, rooms: { ...state.rooms, [roomId]: after } };
}

/** Local copy of a message typed here, shown until the hub echoes it. */
export function localMessage(u: UnsentMessage, status: 'queued' | 'sending' | 'failed' = 'queued'): Message {
  return {
    id: `local:${u.clientMessageId}`,
    roomId: u.roomId,
    senderId: u.senderId,
    senderType: 'user',
    senderName: u.senderName,
    type: 'text',
    content: u.content,
    replyToId: u.replyToId,
    mentions: [],
    attachments: u.attachments,
    createdAt: u.createdAt,
    local: { clientMessageId: u.clientMessageId, status },
  };
}

/** Clock difference we tolerate between this browser and the hub when pairing copies. */
export const ECHO_SKEW_MS = 5000;

/**
 * The hub's copy of a message typed here is paired with its local copy. Live frames of our hub
 * carry the sender's `clientMessageId`: that pairs exactly (whatever the hub did to the text,
 * however many copies say the same), and a frame with an id that is none of ours (sent from
 * another tab or device) pairs nothing. Frames without it (catch-up replays from the store,
 * history pages, an original hub) fall back to a heuristic: same sender, created no earlier
 * than the local copy was typed (so an older message with the same words never takes it),
 * same text first; with `fallback` (a live echo), else the oldest copy already sent — the hub
 * may have sanitised the text, and one socket returns our sends in order.
 */
function pairLocal(messages: Message[], m: Message, selfId: string | undefined, fallback: boolean, taken?: Set<string>): number {
  if (m.local || m.senderType !== 'user') return -1;
  const cid = m.clientMessageId;
  if (cid) return taken?.has(cid) ? -1 : messages.findIndex((x) => x.local?.clientMessageId === cid && x.senderId === m.senderId);
  if (!selfId || m.senderId !== selfId) return -1;
  const at = Date.parse(m.createdAt);
  const eligible = (x: Message) => !!x.local && !taken?.has(x.local.clientMessageId) && !(at < Date.parse(x.createdAt) - ECHO_SKEW_MS);
  let i = messages.findIndex((x) => eligible(x) && x.content.trim() === m.content.trim());
  if (i < 0 && fallback) i = messages.findIndex((x) => eligible(x) && x.local!.status === 'sending');
  return i;
}

function dropEchoedLocal(messages: Message[], m: Message, selfId?: string): { messages: Message[]; matched?: string } {
  const i = pairLocal(messages, m, selfId, true);
  if (i < 0) return { messages };
  const matched = messages[i].local!.clientMessageId;
  return { messages: messages.slice(0, i).concat(messages.slice(i + 1)), matched };
}

/** Local copies a history page confirms (by id when a copy carries one, else exact text): clientMessageId by server id. */
export function pageEchoes(state: ChatState, roomId: string, items: Message[], selfId?: string): Map<string, string> {
  const out = new Map<string, string>();
  const r = state.rooms[roomId];
  if (!r || !selfId) return out;
  // Only local copies can pair: search those few, not the whole (possibly long) list per item.
  const locals = r.messages.filter((m) => m.local);
  if (!locals.length) return out;
  const taken = new Set<string>();
  for (const m of items.slice().sort(compareMessages)) {
    const i = pairLocal(locals, m, selfId, false, taken);
    if (i >= 0) {
      const id = locals[i].local!.clientMessageId;
      taken.add(id);
      out.set(m.id, id);
    }
  }
  return out;
}

function appendChunk(stream: LiveStream, chunk: Chunk): LiveStream {
  const chunks = stream.chunks.slice();
  const last = chunks[chunks.length - 1];
  // Consecutive text or thinking fragments are one block; tools stay separate.
  if (last && (chunk.type === 'text' || chunk.type === 'thinking') && last.type === chunk.type && !chunk.metadata) {
    chunks[chunks.length - 1] = { ...last, content: last.content + chunk.content };
  } else chunks.push(chunk);
  return { ...stream, chunks };
}

/** Which messages the hub confirmed in an action ('message' with a matched local copy). */
export function echoedClientId(state: ChatState, message: Message, selfId?: string): string | undefined {
  const r = state.rooms[message.roomId];
  if (!r) return undefined;
  return dropEchoedLocal(r.messages, message, selfId).matched;
}

export function reduce(state: ChatState, action: ChatAction): ChatState {
  switch (action.type) {
    case 'history':
      return withRoom(state, action.roomId, (r) => {
        const items = action.items.slice().sort(compareMessages);
        // Local copies the page already holds the hub's copy of are done.
        const confirmed = new Set(pageEchoes(state, action.roomId, items, action.selfId).values());
        const locals = r.messages.filter((m) => m.local && !confirmed.has(m.local.clientMessageId));
        if (confirmed.size) r = { ...r, messages: r.messages.filter((m) => !m.local || !confirmed.has(m.local.clientMessageId)) };
        let messages: Message[];
        if (action.mode === 'replace') {
          // The page is the newest as of its request; what arrived live since stays.
          const newest = items[items.length - 1];
          const later = newest ? r.messages.filter((m) => !m.local && compareMessages(newest, m) < 0) : r.messages.filter((m) => !m.local);
          messages = mergeMessages(items, [...later, ...locals]);
        }
        else messages = mergeMessages(r.messages, items);
        const older = action.mode === 'older' || action.mode === 'replace';
        return {
          ...r,
          messages,
          loaded: true,
          lastSeq: maxSeq(messages, action.mode === 'replace' ? 0 : r.lastSeq),
          hasMore: older ? action.hasMore : r.hasMore,
          nextCursor: older ? action.nextCursor : r.nextCursor,
          needsReload: false,
        };
      });

    case 'message': {
      const m = action.message;
      return withRoom(state, m.roomId, (r) => {
        const known = r.messages.find((x) => x.id === m.id);
        const { messages, matched } = dropEchoedLocal(r.messages, m, action.selfId);
        if (known && !matched && known.seq === m.seq && known.content === m.content) return r;
        const merged = mergeMessages(messages, [m]);
        const typing = { ...r.typing };
        delete typing[m.senderId];
        return { ...r, messages: merged, lastSeq: maxSeq([m], r.lastSeq), typing };
      });
    }

    case 'complete': {
      const m = action.message;
      return withRoom(state, m.roomId, (r) => {
        const streams = { ...r.streams };
        const s = streams[m.senderId];
        if (s) delete streams[m.senderId];
        return { ...r, messages: mergeMessages(r.messages, [m]), lastSeq: maxSeq([m], r.lastSeq), streams };
      });
    }

    case 'chunk':
      return withRoom(state, action.roomId, (r) => {
        if (r.messages.some((m) => m.id === action.messageId && !m.local)) return r; // already completed
        const prev = r.streams[action.agentId];
        let stream: LiveStream =
          prev && prev.messageId === action.messageId
            ? prev
            : { roomId: action.roomId, agentId: action.agentId, agentName: action.agentName, messageId: action.messageId, chunks: [], frames: 0, truncated: false, startedAt: action.now, updatedAt: action.now };
        if (stream.frames >= STREAM_CHUNK_CAP) {
          if (stream.truncated) return r;
          stream = { ...stream, truncated: true, updatedAt: action.now };
        } else {
          stream = { ...appendChunk(stream, action.chunk), frames: stream.frames + 1, updatedAt: action.now, agentName: action.agentName };
        }
        return { ...r, streams: { ...r.streams, [action.agentId]: stream } };
      });

    case 'stopStream':
      return withRoom(state, action.roomId, (r) => {
        if (!r.streams[action.agentId]) return r;
        const streams = { ...r.streams };
        delete streams[action.agentId];
        return { ...r, streams };
      });

    case 'edited':
      return withRoom(state, action.message.roomId, (r) => {
        const i = r.messages.findIndex((m) => m.id === action.message.id);
        if (i < 0) return r;
        const messages = r.messages.slice();
        const prev = messages[i];
        messages[i] = { ...prev, content: action.message.content, updatedAt: action.message.updatedAt ?? new Date().toISOString() };
        return { ...r, messages };
      });

    case 'deleted':
      return withRoom(state, action.roomId, (r) => {
        if (!r.messages.some((m) => m.id === action.messageId)) return r;
        return { ...r, messages: r.messages.filter((m) => m.id !== action.messageId) };
      });

    case 'reactions':
      return withRoom(state, action.roomId, (r) => {
        const i = r.messages.findIndex((m) => m.id === action.messageId);
        if (i < 0) return r;
        const messages = r.messages.slice();
        messages[i] = { ...messages[i], reactions: action.reactions };
        return { ...r, messages };
      });

    case 'cleared':
      return withRoom(state, action.roomId, (r) => {
        const cut = Date.parse(action.clearedAt);
        return { ...r, messages: r.messages.filter((m) => m.local || Date.parse(m.createdAt) > cut), hasMore: false, nextCursor: undefined };
      });

    case 'rewound':
      return withRoom(state, action.roomId, (r) => {
        const gone = new Set(action.removedMessageIds);
        return { ...r, messages: r.messages.filter((m) => !gone.has(m.id)) };
      });

    case 'gap':
      return withRoom(state, action.roomId, (r) => ({ ...r, needsReload: true }));

    case 'agentStatus': {
      const down = action.status === 'offline' || action.status === 'error';
      const agentDownSince = { ...state.agentDownSince };
      if (down) agentDownSince[action.agentId] = agentDownSince[action.agentId] ?? action.now;
      else delete agentDownSince[action.agentId];
      return { ...state, agentDownSince };
    }

    case 'tick': {
      let changed = false;
      const rooms: Record<string, RoomState> = {};
      for (const [id, r] of Object.entries(state.rooms)) {
        let streams = r.streams;
        for (const [agentId, s] of Object.entries(r.streams)) {
          const downSince = state.agentDownSince[agentId];
          const stale = (downSince != null && action.now - Math.max(downSince, s.updatedAt) >= STREAM_STALE_MS) || action.now - s.startedAt >= STREAM_MAX_AGE_MS;
          if (stale) {
            if (streams === r.streams) streams = { ...r.streams };
            delete streams[agentId];
          }
        }
        let typing = r.typing;
        for (const [userId, t] of Object.entries(r.typing)) {
          if (t.until <= action.now) {
            if (typing === r.typing) typing = { ...r.typing };
            delete typing[userId];
          }
        }
        if (streams !== r.streams || typing !== r.typing) {
          changed = true;
          rooms[id] = { ...r, streams, typing };
        } else rooms[id] = r;
      }
      let approvals = state.approvals;
      for (const [id, a] of Object.entries(state.approvals)) {
        if (a.status === 'pending' && Date.parse(a.expiresAt) <= action.now) {
          if (approvals === state.approvals) approvals = { ...state.approvals };
          approvals[id] = { ...a, status: 'expired' };
          changed = true;
        }
      }
      return changed ? { ...state, rooms, approvals } : state;
    }

    case 'typing':
      return withRoom(state, action.roomId, (r) => ({
        ...r,
        typing: { ...r.typing, [action.userId]: { userId: action.userId, username: action.username, until: action.now + TYPING_MS } },
      }));

    case 'read':
      return withRoom(state, action.roomId, (r) => ({ ...r, reads: { ...r.reads, [action.userId]: { username: action.username, lastReadAt: action.lastReadAt } } }));

    case 'permission':
      return { ...state, approvals: { ...state.approvals, [action.request.requestId]: { ...action.request, status: 'pending' } } };

    case 'permissionExpired': {
      const a = state.approvals[action.requestId];
      if (!a || a.status !== 'pending') return state;
      return { ...state, approvals: { ...state.approvals, [a.requestId]: { ...a, status: 'expired' } } };
    }

    case 'permissionAnswered': {
      const a = state.approvals[action.requestId];
      if (!a || a.status !== 'pending') return state;
      return { ...state, approvals: { ...state.approvals, [a.requestId]: { ...a, status: 'answered', decision: action.decision } } };
    }

    case 'queue':
      return withRoom(state, action.unsent.roomId, (r) => {
        if (r.messages.some((m) => m.local?.clientMessageId === action.unsent.clientMessageId)) return r;
        return { ...r, messages: [...r.messages, localMessage(action.unsent)] };
      });

    case 'unsentStatus':
      return withRoom(state, action.roomId, (r) => {
        const i = r.messages.findIndex((m) => m.local?.clientMessageId === action.clientMessageId);
        if (i < 0) return r;
        const messages = r.messages.slice();
        messages[i] = { ...messages[i], local: { clientMessageId: action.clientMessageId, status: action.status } };
        return { ...r, messages };
      });

    case 'unsentDrop':
      return withRoom(state, action.roomId, (r) => ({ ...r, messages: r.messages.filter((m) => m.local?.clientMessageId !== action.clientMessageId) }));

    case 'note':
      return withRoom(state, action.roomId, (r) => {
        if (!r.loaded || r.messages.some((m) => m.id === action.id)) return r;
        const note: Message = { id: action.id, roomId: action.roomId, senderId: 'system', senderType: 'system', senderName: 'System', type: 'system', content: action.content, mentions: [], createdAt: action.createdAt };
        return { ...r, messages: mergeMessages(r.messages, [note]) };
      });

    case 'roomRemoved': {
      if (!state.rooms[action.roomId]) return state;
      const rooms = { ...state.rooms };
      delete rooms[action.roomId];
      return { ...state, rooms };
    }
  }
}

/** Pending approvals, oldest first; `exceptRoom` leaves out the room being viewed. */
export function pendingApprovals(state: ChatState, exceptRoom?: string): PendingApproval[] {
  return Object.values(state.approvals)
    .filter((a) => a.status === 'pending' && a.roomId !== exceptRoom)
    .sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt));
}

/** Text of a live stream for display, cut to `max` characters from the end while streaming. */
export function streamText(stream: LiveStream, max = 8000): string {
  const text = stream.chunks.filter((c) => c.type === 'text').map((c) => c.content).join('');
  return text.length > max ? '…' + text.slice(text.length - max) : text;
}

/** What the agent is doing now, from its last chunk. */
export function streamPhase(stream: LiveStream): 'thinking' | 'tool' | 'responding' {
  const last = stream.chunks[stream.chunks.length - 1];
  if (!last || last.type === 'thinking') return 'thinking';
  if (last.type === 'tool_use' || last.type === 'tool_result') return 'tool';
  return 'responding';
}
