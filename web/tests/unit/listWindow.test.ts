// The message list's window: a bounded slice around the first message in view, the newest
// ones while following the bottom, whatever the list's length.
import test from 'node:test';
import assert from 'node:assert/strict';
import { renderRange, RENDER_ABOVE, RENDER_BELOW } from '../../src/state/listWindow';

test('following the bottom renders the newest messages only', () => {
  assert.deepEqual(renderRange(10_000, null), { from: 10_000 - RENDER_ABOVE - RENDER_BELOW, to: 10_000 });
  assert.deepEqual(renderRange(30, null), { from: 0, to: 30 }, 'a short room is rendered whole');
  assert.deepEqual(renderRange(0, null), { from: 0, to: 0 });
});

test('the window around the first message in view is bounded and holds it', () => {
  for (const count of [1, 50, 1000, 10_000]) {
    for (const anchor of new Set([0, Math.min(1, count - 1), Math.floor(count / 2), count - 1])) {
      const { from, to } = renderRange(count, anchor);
      assert.ok(from <= anchor && anchor < to, `count ${count} anchor ${anchor}: [${from}, ${to})`);
      assert.ok(to - from <= RENDER_ABOVE + RENDER_BELOW);
      assert.ok(from >= 0 && to <= count);
    }
  }
});

test('after an older page goes in front, the reader at the top sees the new page rendered', () => {
  // The reader was at index 0; 50 older messages arrive, so the same message is now at 50.
  const { from } = renderRange(1050, 50);
  assert.equal(from, 0, 'the new page is inside the window, above the message in view');
});

test('an anchor past the end (messages deleted) is clamped', () => {
  assert.deepEqual(renderRange(10, 500), { from: Math.max(0, 9 - RENDER_ABOVE), to: 10 });
  assert.deepEqual(renderRange(10, -3), { from: 0, to: Math.min(10, RENDER_BELOW) });
});
