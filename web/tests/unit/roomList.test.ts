// Room list order, unread badges and the tab title.
import test from 'node:test';
import assert from 'node:assert/strict';
import { badge, sortRooms, totalUnread, pageTitle } from '../../src/state/roomList';

const room = (id: string, extra: Record<string, unknown> = {}) => ({ id, name: id, createdAt: '2026-01-01T00:00:00.000Z', ...extra });

test('pinned rooms come first, then the most recent activity', () => {
  const list = [room('old'), room('pinned', { pinnedAt: '2026-01-01T00:00:00.000Z' }), room('busy'), room('quiet', { updatedAt: '2026-01-03T00:00:00.000Z' })];
  const recent = { busy: { createdAt: '2026-01-05T00:00:00.000Z' }, old: { createdAt: '2026-01-02T00:00:00.000Z' } };
  assert.deepEqual(sortRooms(list, recent).map((r) => r.id), ['pinned', 'busy', 'quiet', 'old']);
});

test('badges cap at 99+', () => {
  assert.equal(badge(5), '5');
  assert.equal(badge(99), '99');
  assert.equal(badge(100), '99+');
});

test('the title counts unread in rooms that are not archived', () => {
  const list = [room('a'), room('b', { archivedAt: '2026-01-01T00:00:00.000Z' }), room('c')];
  const n = totalUnread(list, { a: { unread: 3 }, b: { unread: 50 }, c: { unread: 2 } });
  assert.equal(n, 5);
  assert.equal(pageTitle(n), '(5) AgentIM');
  assert.equal(pageTitle(0), 'AgentIM');
});
