// The reducer's merging at scale: an older page goes in front of thousands of messages in one
// linear pass, untouched messages keep their identity (memoised rows skip re-rendering), and
// nothing is duplicated whatever order or overlap pages arrive with.
import test from 'node:test';
import assert from 'node:assert/strict';
import { emptyChat, mergeMessages, reduce } from '../../src/state/roomState';
import type { ChatState, Message } from '../../src/state/types';

const R = 'room1';
function msg(seq: number, extra: Partial<Message> = {}): Message {
  return {
    id: `m${seq}`,
    roomId: R,
    senderId: 'u2',
    senderType: 'user',
    senderName: 'bob',
    type: 'text',
    content: `message ${seq}`,
    mentions: [],
    createdAt: new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString(),
    seq,
    ...extra,
  };
}
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => msg(from + i));
const seqs = (s: ChatState) => s.rooms[R].messages.map((m) => m.seq);

function roomWith(messages: Message[]): ChatState {
  return reduce(emptyChat(), { type: 'history', roomId: R, items: messages, hasMore: true, nextCursor: 'c', mode: 'replace' });
}

test('merging 50 older messages into 5,000 keeps order, identities and adds no duplicates', () => {
  let s = roomWith(range(5000, 10000));
  const before = s.rooms[R].messages;
  const page = range(4950, 5000).reverse(); // the hub pages newest first
  s = reduce(s, { type: 'history', roomId: R, items: page, hasMore: true, nextCursor: 'd', mode: 'older' });
  const after = s.rooms[R].messages;
  assert.equal(after.length, 5050);
  assert.deepEqual(seqs(s), Array.from({ length: 5050 }, (_, i) => 4950 + i));
  for (let i = 0; i < before.length; i++) assert.equal(after[50 + i], before[i], `message ${i} kept its identity`);
  assert.equal(new Set(after.map((m) => m.id)).size, after.length);
  assert.equal(s.rooms[R].nextCursor, 'd');
});

test('an older page overlapping what is held adds only the new messages and keeps the held copies', () => {
  let s = roomWith(range(100, 200));
  const held = s.rooms[R].messages;
  s = reduce(s, { type: 'history', roomId: R, items: range(60, 110), hasMore: true, mode: 'older' });
  assert.deepEqual(seqs(s), Array.from({ length: 140 }, (_, i) => 60 + i));
  assert.equal(s.rooms[R].messages[40], held[0], 'an identical copy from the page does not replace the held one');
  assert.equal(s.rooms[R].messages[139], held[99]);
});

test('a page that fills a hole in the middle is merged in order', () => {
  const all = range(0, 300);
  let s = roomWith([...all.slice(0, 100), ...all.slice(200)]);
  const tail = s.rooms[R].messages[150];
  s = reduce(s, { type: 'history', roomId: R, items: all.slice(100, 200).sort(() => Math.random() - 0.5), hasMore: false, mode: 'merge' });
  assert.deepEqual(seqs(s), Array.from({ length: 300 }, (_, i) => i));
  assert.equal(s.rooms[R].messages[250], tail);
});

test('a catch-up replay of messages already held changes nothing, so nothing re-renders', () => {
  const s = roomWith(range(0, 1000));
  const replay = range(900, 1000).map((m) => ({ ...m, reactions: [], attachments: [] }));
  const withEmpty = reduce(s, { type: 'history', roomId: R, items: replay, hasMore: false, mode: 'merge' });
  const again = reduce(withEmpty, { type: 'history', roomId: R, items: range(900, 1000).map((m) => ({ ...m, reactions: [], attachments: [] })), hasMore: false, mode: 'merge' });
  assert.equal(again.rooms[R].messages, withEmpty.rooms[R].messages, 'the same list object');
});

test('a changed copy replaces only that message', () => {
  const s = roomWith(range(0, 100));
  const before = s.rooms[R].messages;
  const next = reduce(s, { type: 'history', roomId: R, items: [msg(50, { content: 'edited' })], hasMore: false, mode: 'merge' });
  const after = next.rooms[R].messages;
  assert.equal(after[50].content, 'edited');
  assert.notEqual(after[50], before[50]);
  assert.equal(after.filter((m, i) => m !== before[i]).length, 1);
});

test('the same new message twice in one batch is kept once', () => {
  const out = mergeMessages(range(0, 10), [msg(20), msg(15), msg(20, { content: 'later copy' })]);
  assert.deepEqual(out.map((m) => m.seq), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 20]);
  assert.equal(out[11].content, 'later copy');
});

test('merging is linear: 100 older pages into a growing list stay fast and compare few pairs', () => {
  let list = range(100_000, 105_000);
  let comparisons = 0;
  const counting = (m: Message) => new Proxy(m, { get: (t, k) => (k === 'seq' && comparisons++, Reflect.get(t, k)) });
  for (let p = 1; p <= 100; p++) {
    const page = range(100_000 - p * 50, 100_000 - (p - 1) * 50).map(counting);
    comparisons = 0;
    list = mergeMessages(list, page);
    // Sorting the page (50 log 50) and one boundary check: nowhere near the list's length.
    assert.ok(comparisons < 2000, `page ${p}: ${comparisons} seq reads for a list of ${list.length}`);
  }
  assert.equal(list.length, 10_000);
  for (let i = 1; i < list.length; i++) assert.ok(list[i - 1].seq! < list[i].seq!);
});

test('a live message, a local copy and an older page keep local copies last', () => {
  let s = roomWith(range(10, 20));
  s = reduce(s, { type: 'queue', unsent: { clientMessageId: 'c1', roomId: R, content: 'typing', senderId: 'me', senderName: 'me', createdAt: new Date(Date.UTC(2026, 0, 2)).toISOString() } });
  s = reduce(s, { type: 'message', message: msg(20) });
  s = reduce(s, { type: 'history', roomId: R, items: range(0, 10), hasMore: false, mode: 'older' });
  const list = s.rooms[R].messages;
  assert.deepEqual(list.slice(0, -1).map((m) => m.seq), Array.from({ length: 21 }, (_, i) => i));
  assert.equal(list[list.length - 1].local?.clientMessageId, 'c1');
});
