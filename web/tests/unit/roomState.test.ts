// The room state reducer: ordering and de-duplication by seq, chunks → live stream → stored
// message, catch-up merges, history gaps, approvals, and messages typed while offline.
import test from 'node:test';
import assert from 'node:assert/strict';
import { emptyChat, reduce, pendingApprovals, streamText, streamPhase, STREAM_CHUNK_CAP, echoedClientId, pageEchoes } from '../../src/state/roomState';
import type { ChatState, Message } from '../../src/state/types';

const R = 'room1';
function msg(id: string, seq: number | undefined, extra: Partial<Message> = {}): Message {
  return {
    id,
    roomId: R,
    senderId: 'u2',
    senderType: 'user',
    senderName: 'bob',
    type: 'text',
    content: `m ${id}`,
    mentions: [],
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq ?? 0)).toISOString(),
    seq,
    ...extra,
  };
}
const ids = (s: ChatState) => s.rooms[R].messages.map((m) => m.id);

test('messages are ordered by seq whatever order they arrive in, and lastSeq tracks the highest', () => {
  let s = emptyChat();
  for (const [id, seq] of [['c', 3], ['a', 1], ['b', 2]] as const) s = reduce(s, { type: 'message', message: msg(id, seq) });
  assert.deepEqual(ids(s), ['a', 'b', 'c']);
  assert.equal(s.rooms[R].lastSeq, 3);
});

test('the same message twice (live echo and replay) is kept once', () => {
  let s = emptyChat();
  s = reduce(s, { type: 'message', message: msg('a', 1) });
  const before = s;
  s = reduce(s, { type: 'message', message: msg('a', 1) });
  assert.equal(s, before, 'an identical duplicate changes nothing');
  s = reduce(s, { type: 'history', roomId: R, items: [msg('b', 2), msg('a', 1)], hasMore: false, mode: 'merge' });
  assert.deepEqual(ids(s), ['a', 'b']);
});

test('history pages arrive newest first and older pages prepend; hasMore and cursor follow the older page', () => {
  let s = emptyChat();
  s = reduce(s, { type: 'history', roomId: R, items: [msg('d', 4), msg('c', 3)], hasMore: true, nextCursor: 'cur', mode: 'replace' });
  assert.deepEqual(ids(s), ['c', 'd']);
  assert.equal(s.rooms[R].hasMore, true);
  assert.equal(s.rooms[R].nextCursor, 'cur');
  s = reduce(s, { type: 'history', roomId: R, items: [msg('b', 2), msg('a', 1)], hasMore: false, mode: 'older' });
  assert.deepEqual(ids(s), ['a', 'b', 'c', 'd']);
  assert.equal(s.rooms[R].hasMore, false);
  assert.equal(s.rooms[R].lastSeq, 4);
});

test('catch-up merge: replayed messages after lastSeq slot in between and after live ones', () => {
  let s = emptyChat();
  s = reduce(s, { type: 'history', roomId: R, items: [msg('b', 2), msg('a', 1)], hasMore: false, mode: 'replace' });
  s = reduce(s, { type: 'message', message: msg('e', 5) }); // live, arrived before the replay
  s = reduce(s, { type: 'history', roomId: R, items: [msg('d', 4), msg('c', 3)], hasMore: false, mode: 'merge' });
  assert.deepEqual(ids(s), ['a', 'b', 'c', 'd', 'e']);
  assert.equal(s.rooms[R].lastSeq, 5);
});

test('a history gap marks the room for reload; a replace clears the mark and keeps local messages', () => {
  let s = emptyChat();
  s = reduce(s, { type: 'queue', unsent: { clientMessageId: 'c1', roomId: R, content: 'hi', senderId: 'me', senderName: 'me', createdAt: new Date().toISOString() } });
  s = reduce(s, { type: 'gap', roomId: R });
  assert.equal(s.rooms[R].needsReload, true);
  s = reduce(s, { type: 'history', roomId: R, items: [msg('z', 90)], hasMore: true, mode: 'replace' });
  assert.equal(s.rooms[R].needsReload, false);
  assert.deepEqual(ids(s), ['z', 'local:c1']);
});

test('chunks build one live stream per agent; a new messageId replaces it; complete swaps in the stored message', () => {
  let s = emptyChat();
  const base = { type: 'chunk' as const, roomId: R, agentId: 'ag', agentName: 'claude', now: 1 };
  s = reduce(s, { ...base, messageId: 'r1', chunk: { type: 'thinking', content: 'hmm ' } });
  assert.equal(streamPhase(s.rooms[R].streams.ag), 'thinking');
  s = reduce(s, { ...base, messageId: 'r1', chunk: { type: 'tool_use', content: '{}', metadata: { toolName: 'Bash', toolId: 't1' } } });
  assert.equal(streamPhase(s.rooms[R].streams.ag), 'tool');
  s = reduce(s, { ...base, messageId: 'r1', chunk: { type: 'text', content: 'Hel' } });
  s = reduce(s, { ...base, messageId: 'r1', chunk: { type: 'text', content: 'lo' } });
  const st = s.rooms[R].streams.ag;
  assert.equal(st.chunks.length, 3, 'consecutive text fragments merge into one block');
  assert.equal(streamText(st), 'Hello');
  assert.equal(streamPhase(st), 'responding');

  s = reduce(s, { ...base, messageId: 'r2', chunk: { type: 'text', content: 'new' } });
  assert.equal(s.rooms[R].streams.ag.messageId, 'r2');
  assert.equal(streamText(s.rooms[R].streams.ag), 'new');

  s = reduce(s, { type: 'complete', message: msg('r2', 7, { senderId: 'ag', senderType: 'agent', type: 'agent_response', content: 'new and done' }) });
  assert.equal(s.rooms[R].streams.ag, undefined);
  assert.deepEqual(ids(s), ['r2']);
  assert.equal(s.rooms[R].lastSeq, 7);

  // A late chunk of a completed message does not resurrect a stream.
  s = reduce(s, { ...base, messageId: 'r2', chunk: { type: 'text', content: 'late' } });
  assert.equal(s.rooms[R].streams.ag, undefined);
});

test('a stream is capped at 2000 chunk frames and marked truncated', () => {
  let s = emptyChat();
  for (let i = 0; i < STREAM_CHUNK_CAP + 5; i++) {
    s = reduce(s, { type: 'chunk', roomId: R, agentId: 'ag', agentName: 'a', messageId: 'm', now: i, chunk: { type: i % 2 ? 'text' : 'tool_use', content: 'x', metadata: i % 2 ? undefined : { toolId: String(i) } } });
  }
  const st = s.rooms[R].streams.ag;
  assert.equal(st.frames, STREAM_CHUNK_CAP);
  assert.equal(st.truncated, true);
});

test('a stream of an agent offline for 30 s is dropped on tick; typing expires after 4 s', () => {
  let s = emptyChat();
  s = reduce(s, { type: 'chunk', roomId: R, agentId: 'ag', agentName: 'a', messageId: 'm', now: 1000, chunk: { type: 'text', content: 'x' } });
  s = reduce(s, { type: 'typing', roomId: R, userId: 'u9', username: 'eve', now: 1000 });
  s = reduce(s, { type: 'agentStatus', agentId: 'ag', status: 'offline', now: 2000 });
  s = reduce(s, { type: 'tick', now: 20_000 });
  assert.ok(s.rooms[R].streams.ag, 'still there after 18 s');
  assert.equal(s.rooms[R].typing.u9, undefined, 'typing gone after 4 s');
  s = reduce(s, { type: 'tick', now: 32_001 });
  assert.equal(s.rooms[R].streams.ag, undefined);
});

test('edits, deletions, reactions, clear and rewind apply to stored messages', () => {
  let s = emptyChat();
  s = reduce(s, { type: 'history', roomId: R, items: [msg('a', 1), msg('b', 2), msg('c', 3)], hasMore: false, mode: 'replace' });
  s = reduce(s, { type: 'edited', message: { ...msg('a', 1), content: 'changed', updatedAt: '2026-01-02T00:00:00.000Z' } });
  assert.equal(s.rooms[R].messages[0].content, 'changed');
  assert.ok(s.rooms[R].messages[0].updatedAt);
  s = reduce(s, { type: 'reactions', roomId: R, messageId: 'b', reactions: [{ emoji: '👍', userIds: ['u1'], usernames: ['al'] }] });
  assert.equal(s.rooms[R].messages[1].reactions?.[0].emoji, '👍');
  s = reduce(s, { type: 'deleted', roomId: R, messageId: 'b' });
  assert.deepEqual(ids(s), ['a', 'c']);
  s = reduce(s, { type: 'rewound', roomId: R, removedMessageIds: ['c'] });
  assert.deepEqual(ids(s), ['a']);
  s = reduce(s, { type: 'cleared', roomId: R, clearedAt: '2030-01-01T00:00:00.000Z' });
  assert.deepEqual(ids(s), []);
});

test('unsent queue: a message typed offline shows once, and the hub echo replaces it exactly once', () => {
  let s = emptyChat();
  const u = { clientMessageId: 'c1', roomId: R, content: 'offline hello', senderId: 'me', senderName: 'me', createdAt: '2026-01-01T00:00:10.000Z' };
  s = reduce(s, { type: 'queue', unsent: u });
  s = reduce(s, { type: 'queue', unsent: u }); // restored from IndexedDB again
  assert.deepEqual(ids(s), ['local:c1']);
  assert.equal(s.rooms[R].messages[0].local?.status, 'queued');
  s = reduce(s, { type: 'unsentStatus', clientMessageId: 'c1', roomId: R, status: 'sending' });
  assert.equal(s.rooms[R].messages[0].local?.status, 'sending');

  const echo = msg('srv1', 11, { senderId: 'me', content: 'offline hello' });
  assert.equal(echoedClientId(s, echo, 'me'), 'c1');
  s = reduce(s, { type: 'message', message: echo, selfId: 'me' });
  assert.deepEqual(ids(s), ['srv1']);
  // The same message again (replay after reconnect) neither duplicates nor eats a local copy
  // typed later with the same words.
  s = reduce(s, { type: 'queue', unsent: { ...u, clientMessageId: 'c2', createdAt: '2026-01-01T00:01:00.000Z' } });
  assert.equal(echoedClientId(s, echo, 'me'), undefined);
  s = reduce(s, { type: 'message', message: echo, selfId: 'me' });
  assert.deepEqual(ids(s), ['srv1', 'local:c2']);
});

test("someone else's message with the same text does not replace my local copy", () => {
  let s = emptyChat();
  s = reduce(s, { type: 'queue', unsent: { clientMessageId: 'c1', roomId: R, content: 'hi', senderId: 'me', senderName: 'me', createdAt: '2026-01-01T00:00:10.000Z' } });
  s = reduce(s, { type: 'message', message: msg('x', 1, { senderId: 'other', content: 'hi' }), selfId: 'me' });
  assert.deepEqual(ids(s), ['x', 'local:c1']);
});

test('approvals: pending from every room, answered or expired ones leave the list, the viewed room is excluded', () => {
  let s = emptyChat();
  const req = (id: string, roomId: string, ms: number) => ({ type: 'permission' as const, request: { requestId: id, agentId: 'ag', agentName: 'a', roomId, toolName: 'Bash', toolInput: { command: 'ls' }, expiresAt: new Date(ms).toISOString() } });
  s = reduce(s, req('p1', 'r1', 5000));
  s = reduce(s, req('p2', 'r2', 4000));
  s = reduce(s, req('p3', 'r3', 9000));
  assert.deepEqual(pendingApprovals(s).map((a) => a.requestId), ['p2', 'p1', 'p3']);
  assert.deepEqual(pendingApprovals(s, 'r1').map((a) => a.requestId), ['p2', 'p3']);
  s = reduce(s, { type: 'permissionAnswered', requestId: 'p2', decision: 'allow' });
  s = reduce(s, { type: 'permissionExpired', requestId: 'p3' });
  assert.deepEqual(pendingApprovals(s).map((a) => a.requestId), ['p1']);
  assert.equal(s.approvals.p2.decision, 'allow');
  s = reduce(s, { type: 'tick', now: 6000 });
  assert.equal(s.approvals.p1.status, 'expired', 'the countdown ends it too');
});

test('messages without seq (an original hub) fall back to time order', () => {
  let s = emptyChat();
  s = reduce(s, { type: 'message', message: msg('late', undefined, { createdAt: '2026-01-01T00:00:05.000Z' }) });
  s = reduce(s, { type: 'message', message: msg('early', undefined, { createdAt: '2026-01-01T00:00:01.000Z' }) });
  assert.deepEqual(ids(s), ['early', 'late']);
});

test('an echo whose text the hub sanitised still replaces the oldest sent local copy, never a queued one', () => {
  let s = emptyChat();
  const base = { roomId: R, senderId: 'me', senderName: 'me', createdAt: '2026-01-01T00:00:02.000Z' };
  s = reduce(s, { type: 'queue', unsent: { ...base, clientMessageId: 'q1', content: 'typed offline' } });
  s = reduce(s, { type: 'queue', unsent: { ...base, clientMessageId: 'c1', content: '<script>x</script> hi' } });
  s = reduce(s, { type: 'unsentStatus', clientMessageId: 'c1', roomId: R, status: 'sending' });
  const echo = msg('srv', 3, { senderId: 'me', content: ' hi' });
  assert.equal(echoedClientId(s, echo, 'me'), 'c1');
  s = reduce(s, { type: 'message', message: echo, selfId: 'me' });
  assert.deepEqual(ids(s), ['srv', 'local:q1']);
});

test('a local note (agent went offline) joins a loaded room once and keeps seq order around it', () => {
  let s = emptyChat();
  s = reduce(s, { type: 'note', roomId: R, id: 'n0', content: 'ignored before load', createdAt: '2026-01-01T00:00:00.500Z' });
  assert.equal(s.rooms[R]?.messages.length ?? 0, 0);
  s = reduce(s, { type: 'history', roomId: R, items: [msg('b', 2), msg('a', 1)], hasMore: false, mode: 'replace' });
  s = reduce(s, { type: 'note', roomId: R, id: 'n1', content: 'coder went offline', createdAt: '2026-01-01T00:00:01.500Z' });
  s = reduce(s, { type: 'note', roomId: R, id: 'n1', content: 'coder went offline', createdAt: '2026-01-01T00:00:01.500Z' });
  assert.deepEqual(ids(s), ['a', 'n1', 'b']);
  assert.equal(s.rooms[R].lastSeq, 2);
});

test('a history page that already holds the hub copy confirms the local one (no double after a reconnect)', () => {
  let s = emptyChat();
  const u = { clientMessageId: 'c1', roomId: R, content: 'kept through a reload', senderId: 'me', senderName: 'me', createdAt: '2026-01-01T00:00:20.000Z' };
  s = reduce(s, { type: 'history', roomId: R, items: [msg('old', 1, { senderId: 'me', content: 'kept through a reload' })], hasMore: false, mode: 'replace' });
  s = reduce(s, { type: 'queue', unsent: u });
  s = reduce(s, { type: 'unsentStatus', clientMessageId: 'c1', roomId: R, status: 'sending' });
  const stored = msg('new', 30, { senderId: 'me', content: 'kept through a reload' });
  assert.deepEqual([...pageEchoes(s, R, [stored, msg('old', 1, { senderId: 'me', content: 'kept through a reload' })], 'me').entries()], [['new', 'c1']],
    'the older message with the same words (sent before the local copy was typed) is not its echo');
  s = reduce(s, { type: 'history', roomId: R, items: [stored, msg('old', 1, { senderId: 'me', content: 'kept through a reload' })], hasMore: false, mode: 'replace', selfId: 'me' });
  assert.deepEqual(ids(s), ['old', 'new']);
  // The live echo arriving afterwards changes nothing.
  s = reduce(s, { type: 'message', message: stored, selfId: 'me' });
  assert.deepEqual(ids(s), ['old', 'new']);
});

test('a reload page fetched before a live message arrived does not drop that message', () => {
  let s = emptyChat();
  s = reduce(s, { type: 'history', roomId: R, items: [msg('a', 1)], hasMore: false, mode: 'merge' }); // from the offline cache
  s = reduce(s, { type: 'message', message: msg('live', 7) }); // the echo, before the REST answer
  s = reduce(s, { type: 'history', roomId: R, items: [msg('f', 6), msg('e', 5)], hasMore: true, mode: 'replace' });
  assert.deepEqual(ids(s), ['e', 'f', 'live'], 'older cached messages go, the live one stays');
});

// ---- pairing by the clientMessageId our hub echoes on live frames ----

function sent(s: ChatState, clientMessageId: string, content: string, createdAt = '2026-01-01T00:00:02.000Z'): ChatState {
  s = reduce(s, { type: 'queue', unsent: { clientMessageId, roomId: R, content, senderId: 'me', senderName: 'me', createdAt } });
  return reduce(s, { type: 'unsentStatus', clientMessageId, roomId: R, status: 'sending' });
}

test('the same text sent twice quickly: each echo pairs its own copy by clientMessageId, whatever order they come in', () => {
  let s = emptyChat();
  s = sent(s, 'c1', 'ok');
  s = sent(s, 'c2', 'ok');
  // The second send is stored first (the first one went out again after a reconnect).
  const echo2 = msg('srv2', 3, { senderId: 'me', content: 'ok', clientMessageId: 'c2' });
  const echo1 = msg('srv1', 4, { senderId: 'me', content: 'ok', clientMessageId: 'c1' });
  assert.equal(echoedClientId(s, echo2, 'me'), 'c2', 'not the oldest copy with those words');
  s = reduce(s, { type: 'message', message: echo2, selfId: 'me' });
  assert.deepEqual(ids(s), ['srv2', 'local:c1']);
  assert.equal(echoedClientId(s, echo1, 'me'), 'c1');
  s = reduce(s, { type: 'message', message: echo1, selfId: 'me' });
  assert.deepEqual(ids(s), ['srv2', 'srv1']);
  // The hub's retry acknowledgement repeats the frame: nothing changes.
  const before = s;
  s = reduce(s, { type: 'message', message: echo1, selfId: 'me' });
  assert.equal(s, before);
});

test('a sanitised echo (text changed) pairs by id, not with the oldest copy in flight', () => {
  let s = emptyChat();
  s = sent(s, 'c1', 'first');
  s = reduce(s, { type: 'queue', unsent: { clientMessageId: 'c2', roomId: R, content: '<script>x</script> second', senderId: 'me', senderName: 'me', createdAt: '2026-01-01T00:00:02.000Z' } });
  // c2 is still 'queued' here (its status update has not landed): the id pairs it all the same.
  const echo = msg('srv', 3, { senderId: 'me', content: ' second', clientMessageId: 'c2' });
  assert.equal(echoedClientId(s, echo, 'me'), 'c2');
  s = reduce(s, { type: 'message', message: echo, selfId: 'me' });
  assert.deepEqual(ids(s), ['srv', 'local:c1']);
  assert.equal(s.rooms[R].messages[0].content, ' second', "the hub's text is shown");
});

test('a frame whose id is not one of ours (my other tab) pairs nothing, even with the same words', () => {
  let s = emptyChat();
  s = sent(s, 'c1', 'hello');
  const other = msg('srv9', 5, { senderId: 'me', content: 'hello', clientMessageId: 'tab2-id' });
  assert.equal(echoedClientId(s, other, 'me'), undefined);
  s = reduce(s, { type: 'message', message: other, selfId: 'me' });
  assert.deepEqual(ids(s), ['srv9', 'local:c1']);
  // Someone else's frame carrying an id equal to mine (their own random id) does not take it either.
  s = reduce(s, { type: 'message', message: msg('x', 6, { senderId: 'u2', content: 'hello', clientMessageId: 'c1' }), selfId: 'me' });
  assert.deepEqual(ids(s), ['srv9', 'x', 'local:c1']);
});

test('a catch-up replay without the id still pairs by sender, time and text (fallback)', () => {
  let s = emptyChat();
  s = sent(s, 'c1', 'ok');
  s = sent(s, 'c2', 'ok');
  const replay = msg('srv1', 3, { senderId: 'me', content: 'ok' }); // from the store: no clientMessageId
  assert.equal(echoedClientId(s, replay, 'me'), 'c1', 'the oldest copy with those words');
  s = reduce(s, { type: 'message', message: replay, selfId: 'me' });
  assert.deepEqual(ids(s), ['srv1', 'local:c2']);
  // Then the live frame of the second send, with its id.
  s = reduce(s, { type: 'message', message: msg('srv2', 4, { senderId: 'me', content: 'ok', clientMessageId: 'c2' }), selfId: 'me' });
  assert.deepEqual(ids(s), ['srv1', 'srv2']);
});

test('a history page pairs by id when its copies carry one (the offline cache of live frames), else by text', () => {
  let s = emptyChat();
  s = reduce(s, { type: 'history', roomId: R, items: [], hasMore: false, mode: 'replace' });
  s = sent(s, 'c1', 'same');
  s = sent(s, 'c2', 'same');
  const items = [msg('srv2', 3, { senderId: 'me', content: 'same', clientMessageId: 'c2' })];
  assert.deepEqual([...pageEchoes(s, R, items, 'me').entries()], [['srv2', 'c2']]);
  s = reduce(s, { type: 'history', roomId: R, items, hasMore: false, mode: 'merge', selfId: 'me' });
  assert.deepEqual(ids(s), ['srv2', 'local:c1']);
});
