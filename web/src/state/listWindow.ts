// Which slice of a long message list to render: the messages around the first one in view, or
// the newest ones while the reader follows the bottom. Pure, so it is unit tested.

/** Messages rendered above the first one in view, and from it downwards (a viewport holds fewer). */
export const RENDER_ABOVE = 60;
export const RENDER_BELOW = 60;
/** How far (in messages) the first one in view may drift before the window moves. */
export const WINDOW_SLACK = 15;

/** The slice [from, to) of `count` messages to render around `anchor` (index of the first in
 *  view), or the newest ones when following the bottom (anchor null). */
export function renderRange(count: number, anchor: number | null): { from: number; to: number } {
  if (count <= 0) return { from: 0, to: 0 };
  if (anchor === null) return { from: Math.max(0, count - RENDER_ABOVE - RENDER_BELOW), to: count };
  const a = Math.min(Math.max(0, anchor), count - 1);
  return { from: Math.max(0, a - RENDER_ABOVE), to: Math.min(count, a + RENDER_BELOW) };
}
