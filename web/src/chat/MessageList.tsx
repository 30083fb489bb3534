// The message list: an ARIA log labelled "Messages"; renders the newest messages and reveals
// older ones (then loads 50 more from the hub); keeps the reader's place when older messages
// arrive, follows new ones when the reader is at the bottom; a "scroll to bottom" button.
// Windowed: of the revealed messages only those near the viewport are in the DOM (spacers of
// their measured heights stand for the rest), so a long history costs no more to show, lay
// out or query than a short one.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Room } from '../api/rooms';
import type { Message, RoomState } from '../state/types';
import { useObservable } from '../lib/observable';
import { agents, chat, loadHistory, members } from './chatStore';
import { MessageItem } from './MessageItem';
import { StreamView } from './StreamView';
import { PermissionCard } from './PermissionCard';
import { Lightbox, type LightboxImage } from './Lightbox';
import { useT } from '../i18n';
import { currentUser } from '../stores/session';
import { initials } from './Avatar';
import { renderRange, WINDOW_SLACK } from '../state/listWindow';
import { toast } from '../components/Toast';

const WINDOW = 100;
const GROUP_MS = 5 * 60 * 1000;
/** Height of a message never rendered yet (px). */
const ESTIMATE = 64;

export function groupedWithPrevious(prev: Message | undefined, m: Message): boolean {
  if (!prev || prev.senderId !== m.senderId || prev.type === 'system' || m.type === 'system') return false;
  if (m.replyToId) return false;
  return Date.parse(m.createdAt) - Date.parse(prev.createdAt) < GROUP_MS;
}

export function MessageList({ room, state, onReply, onThread }: { room: Room; state?: RoomState; onReply: (m: Message) => void; onThread: (m: Message) => void }) {
  const t = useT();
  const approvals = useObservable(chat).approvals;
  const roomMembers = useObservable(members)[room.id];
  const agentMap = useObservable(agents);
  const roomAgentIds = (roomMembers ?? []).filter((m) => m.memberType === 'agent').map((m) => m.memberId);
  const canRewind = roomAgentIds.length > 0 && roomAgentIds.every((id) => agentMap[id]?.capabilities?.includes('rewind'));
  const ref = useRef<HTMLDivElement>(null);
  const [shown, setShown] = useState(WINDOW);
  const [atBottom, setAtBottom] = useState(true);
  const [lightbox, setLightbox] = useState<{ images: LightboxImage[]; index: number } | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const anchor = useRef<{ height: number; top: number } | null>(null);
  const messages = state?.messages ?? [];
  const start = Math.max(0, messages.length - shown);
  const visible = useMemo(() => messages.slice(start), [messages, start]);
  const streams = Object.values(state?.streams ?? {});

  // The first message in view, by id so prepended pages do not move it; null: follow the newest.
  const [view, setView] = useState<{ id: string; index: number } | null>(null);
  const heights = useRef(new Map<string, number>());
  const viewIndex = useMemo(() => {
    if (!view) return null;
    const i = visible.findIndex((m) => m.id === view.id);
    return i >= 0 ? i : Math.min(view.index, visible.length - 1);
  }, [view, visible]);
  const { from, to } = renderRange(visible.length, viewIndex);
  const heightOf = (m: Message) => heights.current.get(m.id) ?? ESTIMATE;
  let spaceAbove = 0;
  for (let i = 0; i < from; i++) spaceAbove += heightOf(visible[i]);
  let spaceBelow = 0;
  for (let i = to; i < visible.length; i++) spaceBelow += heightOf(visible[i]);
  const rendered = visible.slice(from, to);
  const roomApprovals = Object.values(approvals).filter((a) => a.roomId === room.id);
  const me = currentUser();

  const replyCounts = useMemo(() => {
    const counts: Record<string, number> = {};
    for (const m of messages) if (m.replyToId) counts[m.replyToId] = (counts[m.replyToId] ?? 0) + 1;
    return counts;
  }, [messages]);
  const byId = useMemo(() => new Map(messages.map((m) => [m.id, m])), [messages]);

  const images = useMemo(() => {
    const list: LightboxImage[] = [];
    for (const m of visible) for (const a of m.attachments ?? []) if (a.mimeType.startsWith('image/')) list.push({ url: a.url, name: a.filename, id: a.id });
    return list;
  }, [visible]);

  // Stable callback so memoised messages do not re-render on every streamed chunk.
  const imagesRef = useRef(images);
  imagesRef.current = images;
  const openImage = useCallback((id: string) => setLightbox({ images: imagesRef.current, index: Math.max(0, imagesRef.current.findIndex((x) => x.id === id)) }), []);

  // Stay at the bottom when new content arrives and the reader was there.
  const lastKey = `${messages[messages.length - 1]?.id}:${streams.map((s) => s.chunks.length + ':' + (s.chunks[s.chunks.length - 1]?.content.length ?? 0)).join(',')}:${roomApprovals.length}`;
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (anchor.current) {
      el.scrollTop = el.scrollHeight - anchor.current.height + anchor.current.top;
      anchor.current = null;
    } else if (atBottom) el.scrollTop = el.scrollHeight;
  }, [lastKey, shown, messages.length]);

  useEffect(() => {
    const el = ref.current;
    if (el) el.scrollTop = el.scrollHeight;
    stick.current = true;
    setView(null);
  }, [room.id, state?.loaded]);

  // Heights of the rendered rows, for the spacers once they leave the window (each row is one
  // element of the log, between the two spacers): when the window or the list changed, and when
  // the log grew (markdown and highlighting arrive late), not on every streamed chunk.
  const renderedRef = useRef(rendered);
  renderedRef.current = rendered;
  const measure = useCallback(() => {
    const log = logRef.current;
    if (!log) return;
    const rows = log.children;
    const list = renderedRef.current;
    for (let k = 0; k < list.length; k++) {
      const row = rows[k + 1] as HTMLElement | undefined;
      if (row && row.offsetHeight > 0) heights.current.set(list[k].id, row.offsetHeight);
    }
  }, []);
  useLayoutEffect(measure, [visible, from, to]);

  // Messages that arrived while the reader was scrolled up, for the button's label.
  const [unseen, setUnseen] = useState(0);
  const lastIdRef = useRef(messages[messages.length - 1]?.id);
  const newestId = messages[messages.length - 1]?.id;
  useEffect(() => {
    const previous = lastIdRef.current;
    lastIdRef.current = newestId;
    if (atBottom) return setUnseen(0);
    if (!previous || previous === newestId) return;
    const at = messages.findIndex((m) => m.id === previous);
    if (at >= 0) setUnseen((n) => n + messages.length - 1 - at); // only what was added after the newest seen
  }, [newestId, atBottom]);

  // Markdown, highlighting and images arrive after the first paint and make messages taller:
  // while the reader is at the bottom, stay there as the log grows.
  const logRef = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  useEffect(() => {
    const el = ref.current;
    const log = logRef.current;
    if (!el || !log || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => {
      measure();
      if (stick.current && !anchor.current) el.scrollTop = el.scrollHeight;
    });
    ro.observe(log);
    return () => ro.disconnect();
  }, []);

  // Which message is first in view, from the same heights the spacers use; the window moves
  // only when that changed by more than a few messages, so scrolling rarely re-renders.
  const scrollFrame = useRef(0);
  const latest = useRef({ visible, view, viewIndex });
  latest.current = { visible, view, viewIndex };
  const updateView = () => {
    scrollFrame.current = 0;
    const el = ref.current;
    const log = logRef.current;
    if (!el || !log) return;
    const { visible: list, view: current, viewIndex: currentIndex } = latest.current;
    if (stick.current) {
      if (current) setView(null);
      return;
    }
    const y = el.getBoundingClientRect().top - log.getBoundingClientRect().top;
    let i = 0;
    for (let top = 0; i < list.length - 1; i++) {
      top += heights.current.get(list[i].id) ?? ESTIMATE;
      if (top > y) break;
    }
    if (list.length && (currentIndex === null || Math.abs(i - currentIndex) > WINDOW_SLACK)) setView({ id: list[i].id, index: i });
  };

  // Only the reader moving up lets go of the bottom. Content that grows late (highlighting,
  // images) also fires scroll events, with the bottom further away but the position unchanged or
  // moved down by scroll anchoring; taking those as "not at the bottom" left a freshly opened
  // room resting above its newest message whenever the scroll event came before the resize one.
  const lastTop = useRef(0);
  const onScroll = () => {
    const el = ref.current!;
    const near = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    if (near) stick.current = true;
    else if (el.scrollTop < lastTop.current) stick.current = false;
    else if (stick.current) el.scrollTop = el.scrollHeight;
    lastTop.current = el.scrollTop;
    setAtBottom(stick.current);
    if (!scrollFrame.current) scrollFrame.current = requestAnimationFrame(updateView);
  };
  useEffect(() => () => cancelAnimationFrame(scrollFrame.current), []);

  const loadOlder = async () => {
    const el = ref.current!;
    anchor.current = { height: el.scrollHeight, top: el.scrollTop };
    if (start > 0) {
      setShown(shown + WINDOW);
      return;
    }
    if (!state?.hasMore) return;
    setLoadingOlder(true);
    try {
      await loadHistory(room.id, 'older');
      setShown((s) => s + 50);
    } catch (e) {
      anchor.current = null;
      toast((e as Error).message, 'error');
    } finally {
      setLoadingOlder(false);
    }
  };

  const scrollToBottom = () => {
    const el = ref.current!;
    stick.current = true;
    el.scrollTop = el.scrollHeight;
    setShown(WINDOW);
    setView(null);
  };

  // Read receipts: other people whose read mark is at or after the last message.
  const last = useMemo(() => {
    for (let i = messages.length - 1; i >= 0; i--) if (!messages[i].local) return messages[i];
    return undefined;
  }, [messages]);
  const readers = last
    ? Object.entries(state?.reads ?? {})
        .filter(([uid, r]) => uid !== me?.id && Date.parse(r.lastReadAt) >= Date.parse(last.createdAt))
        .map(([, r]) => r.username)
    : [];

  // "Routing to agents…" in broadcast rooms when nothing streams 2 s after my message.
  const [routing, setRouting] = useState(false);
  useEffect(() => {
    setRouting(false);
    if (!room.broadcastMode || !last || last.senderId !== me?.id || streams.length) return;
    const age = Date.now() - Date.parse(last.createdAt);
    if (age > 30_000) return;
    const a = setTimeout(() => setRouting(true), Math.max(0, 2000 - age));
    const b = setTimeout(() => setRouting(false), 30_000 - age);
    return () => {
      clearTimeout(a);
      clearTimeout(b);
    };
  }, [room.broadcastMode, last?.id, streams.length]);

  return (
    <div className="message-scroller" ref={ref} onScroll={onScroll}>
      {(start > 0 || state?.hasMore) && (
        <div className="load-more">
          <button type="button" className="btn btn-secondary btn-sm" onClick={loadOlder} disabled={loadingOlder}>
            {loadingOlder ? t('common.loading') : t('chat.loadMore')}
          </button>
        </div>
      )}
      {state?.loaded && messages.length === 0 && !streams.length && <p className="muted empty-room">{t('chat.emptyRoom')}</p>}
      {!state?.loaded && <p className="muted empty-room">{t('common.loading')}</p>}
      <div ref={logRef} role="log" aria-label={t('chat.messages')} aria-live="polite" aria-relevant="additions" className="message-log">
        <div className="log-spacer" aria-hidden="true" style={{ height: spaceAbove }} />
        {rendered.map((m, k) => (
          <MessageItem
            key={m.id}
            message={m}
            grouped={groupedWithPrevious(from + k > 0 ? visible[from + k - 1] : messages[start - 1], m)}
            replyTo={m.replyToId ? byId.get(m.replyToId) : undefined}
            replies={replyCounts[m.id] ?? 0}
            members={roomMembers}
            canRewind={canRewind}
            onReply={onReply}
            onThread={onThread}
            onImage={openImage}
          />
        ))}
        <div className="log-spacer" aria-hidden="true" style={{ height: spaceBelow }} />
        {streams.map((s) => (
          <StreamView key={s.agentId} stream={s} roomId={room.id} />
        ))}
        {roomApprovals.map((a) => (
          <PermissionCard key={a.requestId} approval={a} />
        ))}
      </div>
      {routing && (
        <div className="routing-line" role="status" aria-live="polite">
          {t('chat.routing')}
        </div>
      )}
      {readers.length > 0 && (
        <div className="read-receipts" aria-label={t('chat.readBy', { names: readers.join(', ') })}>
          <span className="muted small">{t('chat.seenBy')}</span>
          {readers.slice(0, 5).map((n) => (
            <span key={n} className="read-initial" title={n} aria-hidden="true">
              {initials(n)}
            </span>
          ))}
          {readers.length > 5 && <span className="read-more" aria-hidden="true">+{readers.length - 5}</span>}
        </div>
      )}
      {!atBottom && (
        <button type="button" className="btn btn-primary btn-sm scroll-bottom" onClick={scrollToBottom}>
          {unseen > 0 ? t('chat.newMessages', { n: unseen }) : t('chat.scrollToBottom')}
        </button>
      )}
      {lightbox && <Lightbox images={lightbox.images} index={lightbox.index} onClose={() => setLightbox(null)} />}
    </div>
  );
}
