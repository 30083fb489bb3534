// Small display helpers shared by the pages.
import { formatDateTime, t } from '../../i18n';

/** Parses both ISO and PostgreSQL text timestamps (http-api.md §1.6). */
export function parseTime(value: string | null | undefined): Date | null {
  if (!value) return null;
  let d = new Date(value);
  if (Number.isNaN(d.getTime())) d = new Date(value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
  return Number.isNaN(d.getTime()) ? null : d;
}

export function dateTime(value: string | null | undefined): string {
  const d = parseTime(value);
  return d ? formatDateTime(d.toISOString()) : t('agents.never');
}

/** "3 min ago" style, falling back to the date after a week. */
export function relativeTime(value: string | null | undefined, now = Date.now()): string {
  const d = parseTime(value);
  if (!d) return t('agents.never');
  const s = Math.round((now - d.getTime()) / 1000);
  if (s < 60) return t('agents.justNow');
  if (s < 3600) return t('agents.minutesAgo', { n: Math.floor(s / 60) });
  if (s < 86400) return t('agents.hoursAgo', { n: Math.floor(s / 3600) });
  if (s < 7 * 86400) return t('agents.daysAgo', { n: Math.floor(s / 86400) });
  return formatDateTime(d.toISOString());
}

export function usd(amount: number | undefined): string {
  if (amount === undefined || !Number.isFinite(amount)) return '—';
  return `$${amount.toFixed(amount < 1 ? 4 : 2)}`;
}
