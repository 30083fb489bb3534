// Pure helpers of the room list: order (pinned first, then latest activity) and badge text.
export interface ListedRoom {
  id: string;
  name: string;
  pinnedAt?: string | null;
  archivedAt?: string | null;
  createdAt: string;
  updatedAt?: string;
}

export function badge(n: number): string {
  return n > 99 ? '99+' : String(n);
}

export function sortRooms<R extends ListedRoom>(list: R[], recent: Record<string, { createdAt: string } | undefined>): R[] {
  const last = (r: R) => Date.parse(recent[r.id]?.createdAt ?? r.updatedAt ?? r.createdAt) || 0;
  return list.slice().sort((a, b) => {
    const pa = a.pinnedAt ? 1 : 0;
    const pb = b.pinnedAt ? 1 : 0;
    if (pa !== pb) return pb - pa;
    return last(b) - last(a) || a.name.localeCompare(b.name);
  });
}

/** Total unread over rooms that are not archived (for the `(N) AgentIM` title). */
export function totalUnread(list: ListedRoom[], recent: Record<string, { unread: number } | undefined>): number {
  let n = 0;
  for (const r of list) if (!r.archivedAt) n += recent[r.id]?.unread ?? 0;
  return n;
}

export function pageTitle(unread: number): string {
  return unread > 0 ? `(${unread}) AgentIM` : 'AgentIM';
}
