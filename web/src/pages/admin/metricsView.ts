// Pure helpers behind the admin dashboard: the rolling 60-point history, totals, formatting and
// the combined latency figures (no React, so node --test covers them).
import type { AdminMetrics, Histogram } from '../../api/adminMetrics';

export const HISTORY_POINTS = 60;

export interface HistoryPoint {
  at: number;
  clients: number;
  onlineUsers: number;
  connectedAgents: number;
  messagesTotal: number;
  /** messages since the previous point (0 for the first one, never negative) */
  messagesDelta: number;
  heapUsedBytes: number;
}

export function totalMessages(m: Pick<AdminMetrics, 'activity'>): number {
  let sum = 0;
  for (const v of Object.values(m.activity?.messagesTotal ?? {})) if (typeof v === 'number' && Number.isFinite(v)) sum += v;
  return sum;
}

/** Appends a point for `m`, keeping the newest `max` points. */
export function pushHistory(history: HistoryPoint[], m: AdminMetrics, at = Date.now(), max = HISTORY_POINTS): HistoryPoint[] {
  const total = totalMessages(m);
  const prev = history[history.length - 1];
  const point: HistoryPoint = {
    at,
    clients: m.connections?.clients ?? 0,
    onlineUsers: m.connections?.onlineUsers ?? 0,
    connectedAgents: m.connections?.connectedAgents ?? 0,
    messagesTotal: total,
    messagesDelta: prev ? Math.max(0, total - prev.messagesTotal) : 0,
    heapUsedBytes: m.process?.heapUsedBytes ?? 0,
  };
  const next = [...history, point];
  return next.length > max ? next.slice(next.length - max) : next;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

/** 93784 → "1d 2h 3m"; under a minute → "42s". */
export function formatUptime(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h ${m}m`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

/** Seconds as a latency: "850 µs", "12.3 ms", "1.50 s". */
export function formatLatency(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 0.001) return `${Math.round(seconds * 1e6)} µs`;
  if (seconds < 1) return `${(seconds * 1000).toFixed(1)} ms`;
  return `${seconds.toFixed(2)} s`;
}

/** Percentile from cumulative-or-not bucket counts: upper bound of the bucket holding the rank. */
function percentileFromBuckets(buckets: number[], counts: number[], total: number, q: number): number {
  if (total <= 0) return 0;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i] ?? 0;
    if (seen >= rank) return i < buckets.length ? buckets[i] : buckets[buckets.length - 1] ?? 0;
  }
  return buckets[buckets.length - 1] ?? 0;
}

/**
 * Bucket counts as "in this bucket" (not "up to this bucket"): when they do not add up to the
 * total but end at it and never fall, they are cumulative (Prometheus style) and are differenced.
 */
export function perBucketCounts(h: Pick<Histogram, 'counts' | 'count'>): number[] {
  const c = h.counts ?? [];
  const sum = c.reduce((a, v) => a + v, 0);
  if (sum === h.count || c.length === 0) return [...c];
  const rising = c.every((v, i) => i === 0 || v >= c[i - 1]);
  if (rising && c[c.length - 1] <= h.count) {
    const out = c.map((v, i) => (i === 0 ? v : v - c[i - 1]));
    const rest = h.count - c[c.length - 1];
    if (rest > 0) out.push(rest); // observations above the last bound
    return out;
  }
  return [...c];
}

/**
 * One histogram for several label sets (e.g. every HTTP path). Buckets must agree; per-bucket
 * counts (not cumulative) are summed and the percentiles recomputed from them.
 */
export function combineHistograms(hists: Record<string, Histogram> | undefined): Histogram | null {
  const list = Object.values(hists ?? {}).filter((h) => h && h.count > 0);
  if (list.length === 0) return null;
  if (list.length === 1) return list[0];
  const buckets = list[0].buckets;
  const same = list.every((h) => h.buckets.length === buckets.length && h.buckets.every((b, i) => b === buckets[i]));
  const count = list.reduce((a, h) => a + h.count, 0);
  const sum = list.reduce((a, h) => a + h.sum, 0);
  if (!same) {
    // Different bucket layouts cannot be merged exactly: weight each figure by its count.
    const w = (f: (h: Histogram) => number) => list.reduce((a, h) => a + f(h) * h.count, 0) / count;
    return { buckets: [], counts: [], sum, count, avg: sum / count, p50: w((h) => h.p50), p95: w((h) => h.p95), p99: w((h) => h.p99) };
  }
  const per = list.map(perBucketCounts);
  const width = Math.max(...per.map((c) => c.length));
  const counts = Array.from({ length: width }, (_, i) => per.reduce((a, c) => a + (c[i] ?? 0), 0));
  return {
    buckets,
    counts,
    sum,
    count,
    avg: sum / count,
    p50: percentileFromBuckets(buckets, counts, count, 0.5),
    p95: percentileFromBuckets(buckets, counts, count, 0.95),
    p99: percentileFromBuckets(buckets, counts, count, 0.99),
  };
}

export interface EndpointRow {
  label: string;
  hist: Histogram;
}

/** The `n` slowest label sets by p95, then average. */
export function slowestEndpoints(hists: Record<string, Histogram> | undefined, n = 10): EndpointRow[] {
  return Object.entries(hists ?? {})
    .filter(([, h]) => h && h.count > 0)
    .map(([label, hist]) => ({ label: prettyLabels(label), hist }))
    .sort((a, b) => b.hist.p95 - a.hist.p95 || b.hist.avg - a.hist.avg)
    .slice(0, n);
}

/** `method="GET",path="/api/rooms"` or `{"method":"GET",...}` → `GET /api/rooms`. */
export function prettyLabels(label: string): string {
  if (label === '_' || label === '') return '—';
  const pairs: Record<string, string> = {};
  try {
    const parsed = JSON.parse(label);
    if (parsed && typeof parsed === 'object') for (const [k, v] of Object.entries(parsed)) pairs[k] = String(v);
  } catch {
    for (const m of label.matchAll(/(\w+)="?([^",}]*)"?/g)) pairs[m[1]] = m[2];
  }
  if (pairs.method || pairs.path) return [pairs.method, pairs.path].filter(Boolean).join(' ');
  const values = Object.values(pairs);
  return values.length ? values.join(' ') : label;
}

/** Points of an SVG polyline for `values` inside width × height (flat line when all equal). */
export function sparklinePoints(values: number[], width: number, height: number): string {
  if (values.length === 0) return '';
  // One sample: a flat line across, so the chart is not blank until the second poll.
  if (values.length === 1) return `0.0,${(height / 2).toFixed(1)} ${width.toFixed(1)},${(height / 2).toFixed(1)}`;
  const max = Math.max(...values);
  const min = Math.min(...values);
  const span = max - min || 1;
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  return values
    .map((v, i) => {
      const x = values.length > 1 ? i * step : width / 2;
      const y = max === min ? height / 2 : height - ((v - min) / span) * height;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}
