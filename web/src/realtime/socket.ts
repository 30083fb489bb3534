// The one /ws/client connection: auth first, ping every 30 s (reconnect after 15 s without a
// pong), back-off 1 s × 1.5 up to 15 s (reset by the browser's online event), a fresh token
// before each retry, frames queued while not authenticated (at most 500), and a pacer that
// keeps us under the hub's per-user frame limit (30 per 10 s by default).
import { observable, useObservable } from '../lib/observable';
import { getAccessToken, refreshAccessToken } from '../api/http';

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';
export interface ServerFrame {
  type: string;
  [key: string]: unknown;
}
export type Handler = (frame: any) => void;

const PING_EVERY = 30_000;
const PONG_TIMEOUT = 15_000;
const MAX_QUEUE = 500;
const PACE_WINDOW = 10_000;
const PACE_MAX = 25;

export const connectionState = observable<ConnectionState>('idle');
export function useConnectionState(): ConnectionState {
  return useObservable(connectionState);
}

const handlers = new Map<string, Set<Handler>>();
let ws: WebSocket | null = null;
let authenticated = false;
let wanted = false;
let attempt = 0;
let retryTimer: ReturnType<typeof setTimeout> | null = null;
let pingTimer: ReturnType<typeof setInterval> | null = null;
let pongTimer: ReturnType<typeof setTimeout> | null = null;
const queue: object[] = [];
const sentAt: number[] = [];
let paceTimer: ReturnType<typeof setTimeout> | null = null;
let stopped = false; // protocol mismatch: do not retry

function emit(frame: ServerFrame) {
  for (const h of handlers.get(frame.type) ?? []) {
    try {
      h(frame);
    } catch (e) {
      console.error('handler for', frame.type, 'failed', e);
    }
  }
  for (const h of handlers.get('*') ?? []) h(frame);
}

/** Subscribes to one frame type (or '*' for all); returns the unsubscribe function. */
export function on(type: string, handler: Handler): () => void {
  let set = handlers.get(type);
  if (!set) handlers.set(type, (set = new Set()));
  set.add(handler);
  return () => set!.delete(handler);
}

export function isAuthenticated(): boolean {
  return authenticated && ws?.readyState === WebSocket.OPEN;
}

function rawSend(frame: object) {
  ws!.send(JSON.stringify(frame));
}

function pump() {
  paceTimer = null;
  const now = Date.now();
  while (sentAt.length && now - sentAt[0] > PACE_WINDOW) sentAt.shift();
  while (queue.length && isAuthenticated() && sentAt.length < PACE_MAX) {
    rawSend(queue.shift()!);
    sentAt.push(Date.now());
  }
  if (queue.length && isAuthenticated() && !paceTimer) {
    paceTimer = setTimeout(pump, Math.max(50, PACE_WINDOW - (now - sentAt[0]) + 10));
  }
}

/**
 * Sends a frame. Not yet authenticated: queued (oldest dropped past 500) unless
 * `queueIfOffline` is false, in which case nothing is sent and false is returned.
 */
export function send(frame: { type: string; [k: string]: unknown }, queueIfOffline = true): boolean {
  if (!isAuthenticated() && !queueIfOffline) return false;
  queue.push(frame);
  if (queue.length > MAX_QUEUE) queue.shift();
  pump();
  return true;
}

function clearTimers() {
  if (pingTimer) clearInterval(pingTimer);
  if (pongTimer) clearTimeout(pongTimer);
  pingTimer = pongTimer = null;
}

function scheduleRetry() {
  if (!wanted || stopped) return;
  connectionState.set('reconnecting');
  const delay = Math.min(1000 * 1.5 ** attempt, 15_000);
  attempt++;
  if (retryTimer) clearTimeout(retryTimer);
  retryTimer = setTimeout(async () => {
    retryTimer = null;
    await refreshAccessToken();
    open();
  }, delay);
}

function open() {
  if (!wanted || stopped) return;
  const token = getAccessToken();
  if (!token) {
    scheduleRetry();
    return;
  }
  if (ws) {
    ws.onclose = null;
    ws.close();
  }
  authenticated = false;
  connectionState.set(attempt === 0 ? 'connecting' : 'reconnecting');
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(`${proto}//${location.host}/ws/client`);
  ws = socket;
  socket.onopen = () => {
    socket.send(JSON.stringify({ type: 'client:auth', token, protocolVersion: '1' }));
    pingTimer = setInterval(() => {
      if (socket.readyState !== WebSocket.OPEN) return;
      socket.send(JSON.stringify({ type: 'client:ping', ts: Date.now() }));
      if (!pongTimer) pongTimer = setTimeout(() => socket.close(4000, 'pong timeout'), PONG_TIMEOUT);
    }, PING_EVERY);
  };
  socket.onmessage = (ev) => {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(String(ev.data));
    } catch {
      return;
    }
    if (!frame || typeof frame.type !== 'string') return;
    if (frame.type === 'server:pong') {
      if (pongTimer) clearTimeout(pongTimer);
      pongTimer = null;
    } else if (frame.type === 'server:auth_result') {
      if (frame.ok) {
        authenticated = true;
        attempt = 0;
        connectionState.set('open');
        emit(frame);
        pump();
        return;
      }
    } else if (frame.type === 'server:error' && frame.code === 'PROTOCOL_VERSION_MISMATCH') {
      stopped = true;
    }
    emit(frame);
  };
  socket.onclose = () => {
    if (ws !== socket) return;
    clearTimers();
    const was = authenticated;
    authenticated = false;
    ws = null;
    emit({ type: 'socket:closed', wasAuthenticated: was });
    if (wanted && !stopped) scheduleRetry();
    else connectionState.set('closed');
  };
}

/** Starts (or keeps) the connection. */
export function connect(): void {
  wanted = true;
  stopped = false;
  if (!ws && !retryTimer) open();
}

/** Reconnects now, resetting the back-off (the Reconnect button, the online event). */
export function reconnect(): void {
  attempt = 0;
  if (retryTimer) clearTimeout(retryTimer);
  retryTimer = null;
  stopped = false;
  wanted = true;
  if (ws) {
    const old = ws;
    ws = null;
    clearTimers();
    authenticated = false;
    old.onclose = null;
    old.close();
    emit({ type: 'socket:closed', wasAuthenticated: true });
  }
  void refreshAccessToken().then(() => open());
}

export function disconnect(): void {
  wanted = false;
  if (retryTimer) clearTimeout(retryTimer);
  retryTimer = null;
  clearTimers();
  queue.length = 0;
  if (ws) {
    ws.onclose = null;
    ws.close();
    ws = null;
  }
  authenticated = false;
  connectionState.set('idle');
}

if (typeof window !== 'undefined') {
  window.addEventListener('online', () => {
    if (wanted && !isAuthenticated()) reconnect();
  });
}
