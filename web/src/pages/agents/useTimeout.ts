// A single pending-operation timer: start(ms, onExpire) replaces the previous one; cleared on
// unmount. The gateway relays have no answer guarantee, so every wait on one is bounded.
import { useCallback, useEffect, useMemo, useRef } from 'react';

export function usePendingTimer(): { start: (ms: number, onExpire: () => void) => void; clear: () => void } {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const clear = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
  }, []);
  const start = useCallback(
    (ms: number, onExpire: () => void) => {
      clear();
      timer.current = setTimeout(() => {
        timer.current = null;
        onExpire();
      }, ms);
    },
    [clear],
  );
  useEffect(() => clear, [clear]);
  // One stable object, so effects that list it as a dependency do not re-run every render.
  return useMemo(() => ({ start, clear }), [start, clear]);
}

/** How long we wait for a gateway's answer before telling the person. */
export const GATEWAY_TIMEOUT_MS = 30_000;
