// Composer drafts over a stand-in for IndexedDB: memory first, writes once typing pauses, the
// one-time move of the old localStorage drafts, and everything gone at sign-out.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createDraftStore, draftKey, legacyDrafts, type DraftBackend, type LegacyStorage } from '../../src/state/drafts';

class FakeIdb implements DraftBackend {
  data = new Map<string, string>();
  writes = 0;
  failPuts = false;
  async get(key: string) {
    return this.data.get(key);
  }
  async put(key: string, text: string) {
    if (this.failPuts) return false;
    this.writes++;
    this.data.set(key, text);
    return true;
  }
  async delete(key: string) {
    this.writes++;
    this.data.delete(key);
  }
  async keys() {
    return [...this.data.keys()];
  }
}

class FakeStorage implements LegacyStorage {
  items = new Map<string, string>();
  constructor(init: Record<string, string> = {}) {
    for (const [k, v] of Object.entries(init)) this.items.set(k, v);
  }
  get length() {
    return this.items.size;
  }
  key(i: number) {
    return [...this.items.keys()][i] ?? null;
  }
  getItem(k: string) {
    return this.items.get(k) ?? null;
  }
  removeItem(k: string) {
    this.items.delete(k);
  }
}

const pause = (ms = 5) => new Promise((r) => setTimeout(r, ms));

test('old localStorage drafts move once into the store for the signed-in user; other keys stay', async () => {
  const idb = new FakeIdb();
  const ls = new FakeStorage({ 'agentim.draft.r1': 'half a thought', 'agentim.draft.r2': '', 'agentim.theme': 'dark', 'agentim.draft.': 'no room' });
  assert.deepEqual(legacyDrafts(ls).map(([, room]) => room), ['r1', 'r2']);
  const d = createDraftStore(idb, () => ls, 1);
  assert.equal(d.peek('u1', 'r1'), undefined, 'not known before a load');
  assert.equal(await d.load('u1', 'r1'), 'half a thought');
  assert.equal(idb.data.get(draftKey('u1', 'r1')), 'half a thought');
  assert.equal(idb.data.has(draftKey('u1', 'r2')), false, 'an empty old draft is not copied');
  assert.deepEqual([...ls.items.keys()].sort(), ['agentim.draft.', 'agentim.theme']);
  assert.equal(d.peek('u1', 'r1'), 'half a thought', 'memory answers next time');
  // A later old key (another tab of the old client) does not override the moved draft.
  ls.items.set('agentim.draft.r1', 'stale');
  assert.equal(await d.load('u1', 'r1'), 'half a thought');
});

test('the migration keeps a newer draft already in the store and keeps the old key when the write fails', async () => {
  const idb = new FakeIdb();
  idb.data.set(draftKey('u1', 'r1'), 'newer');
  const ls = new FakeStorage({ 'agentim.draft.r1': 'older', 'agentim.draft.r2': 'only here' });
  idb.failPuts = true;
  const d = createDraftStore(idb, () => ls, 1);
  assert.equal(await d.load('u1', 'r1'), 'newer');
  assert.equal(ls.items.has('agentim.draft.r1'), false, 'the store already had a draft there');
  assert.equal(ls.items.get('agentim.draft.r2'), 'only here', 'not lost when IndexedDB refused it');
});

test('typing is recorded at once and written once the pause is over; an emptied box deletes the draft', async () => {
  const idb = new FakeIdb();
  const d = createDraftStore(idb, () => null, 20);
  assert.equal(await d.load('u1', 'r1'), '');
  for (const text of ['h', 'he', 'hel', 'hello']) d.save('u1', 'r1', text);
  assert.equal(d.peek('u1', 'r1'), 'hello');
  assert.equal(idb.writes, 0, 'nothing written while typing');
  await pause(40);
  assert.equal(idb.writes, 1, 'one write for the whole burst');
  assert.equal(idb.data.get(draftKey('u1', 'r1')), 'hello');
  d.save('u1', 'r1', 'hello'); // unchanged: nothing to do
  d.save('u1', 'r1', '');
  await d.flush();
  assert.equal(idb.data.has(draftKey('u1', 'r1')), false);
  assert.equal(idb.writes, 2);
  // A fresh page (new store over the same database) reads what was written.
  d.save('u1', 'r2', 'for later');
  await d.flush();
  assert.equal(await createDraftStore(idb, () => null).load('u1', 'r2'), 'for later');
  assert.equal(await createDraftStore(idb, () => null).load('u2', 'r2'), '', "another user's drafts are not shown");
});

test('typing before the stored draft arrived wins over it', async () => {
  const idb = new FakeIdb();
  idb.data.set(draftKey('u1', 'r1'), 'stored');
  const d = createDraftStore(idb, () => null, 1);
  const loading = d.load('u1', 'r1');
  d.save('u1', 'r1', 'typed');
  assert.equal(await loading, 'typed');
});

test('sign-out clears memory, pending writes, stored drafts and old keys; a load begun before writes nothing after', async () => {
  const idb = new FakeIdb();
  idb.data.set('rooms:u1', 'not a draft');
  idb.data.set(draftKey('u1', 'r1'), 'secret plan');
  const ls = new FakeStorage({ 'agentim.draft.r9': 'old secret' });
  const d = createDraftStore(idb, () => ls, 30);
  await d.load('u1', 'r1');
  ls.items.set('agentim.draft.r8', 'written by an old tab');
  d.save('u1', 'r2', 'typed just before signing out');
  const late = d.load('u1', 'r3');
  await d.clear();
  await late;
  await pause(50);
  assert.deepEqual([...idb.data.keys()], ['rooms:u1'], 'only non-draft data is left (the chat store clears that itself)');
  assert.equal(ls.items.size, 0);
  assert.equal(d.peek('u1', 'r1'), undefined);
  assert.equal(d.peek('u1', 'r3'), undefined);
});

test('a browser that refuses localStorage access still keeps drafts in the store', async () => {
  const idb = new FakeIdb();
  const d = createDraftStore(idb, () => {
    throw new Error('SecurityError');
  }, 1);
  d.save('u1', 'r1', 'x');
  await d.flush();
  assert.equal(await createDraftStore(idb, () => null).load('u1', 'r1'), 'x');
  await d.clear();
  assert.equal(idb.data.size, 0);
});
