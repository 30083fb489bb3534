// Pure rules for the admin settings page: which edits to send (only what the admin changed, never a
// masked secret sent back) and the same checks the hub applies (http-api.md §13.2), so mistakes
// show beside the field before a round trip.
import type { SettingItem } from '../../api/settings';

/** Masked secrets end with this run of bullets (first 4 chars + 8 × U+2022). */
export const MASK = '\u2022'.repeat(8);

export function isMasked(value: string): boolean {
  return value.includes(MASK);
}

/** The value to put in an input: secrets start empty (the admin types a new one to replace it). */
export function initialInputValue(item: SettingItem): string {
  return item.sensitive ? '' : item.value;
}

/**
 * The `changes` object for one group: keys whose input differs from what the hub sent. A secret is
 * sent only when something was typed (an empty box keeps the stored one); `clear` lists secrets
 * the admin asked to erase.
 */
export function groupChanges(items: SettingItem[], inputs: Record<string, string>, clear: Set<string> = new Set()): Record<string, string> {
  const changes: Record<string, string> = {};
  for (const item of items) {
    if (item.sensitive) {
      if (clear.has(item.key)) changes[item.key] = '';
      else {
        const typed = inputs[item.key] ?? '';
        if (typed !== '' && !isMasked(typed)) changes[item.key] = typed;
      }
      continue;
    }
    const v = inputs[item.key];
    if (v === undefined) continue;
    const next = item.type === 'number' ? v.trim() : v;
    if (next !== item.value) changes[item.key] = next;
  }
  return changes;
}

export type SettingProblem =
  | { kind: 'number' }
  | { kind: 'min'; min: number }
  | { kind: 'max'; max: number }
  | { kind: 'boolean' }
  | { kind: 'enum'; values: string[] }
  | { kind: 'origins' }
  | { kind: 'duration' };

/** The first problem with `value` for `item`, or null. */
export function checkSetting(item: SettingItem, value: string): SettingProblem | null {
  switch (item.type) {
    case 'number': {
      const v = value.trim();
      if (v === '' || !/^-?\d+(\.\d+)?$/.test(v)) return { kind: 'number' };
      const n = Number(v);
      if (typeof item.min === 'number' && n < item.min) return { kind: 'min', min: item.min };
      if (typeof item.max === 'number' && n > item.max) return { kind: 'max', max: item.max };
      return null;
    }
    case 'boolean':
      return value === 'true' || value === 'false' ? null : { kind: 'boolean' };
    case 'enum': {
      const values = item.enumValues ?? [];
      return values.length === 0 || values.includes(value) ? null : { kind: 'enum', values };
    }
    default:
      if (item.key === 'cors.origin' && !validOrigins(value)) return { kind: 'origins' };
      if ((item.key === 'jwt.accessExpiry' || item.key === 'jwt.refreshExpiry') && !/^\d+[smhd]$/.test(value.trim()))
        return { kind: 'duration' };
      return null;
  }
}

/** Comma-separated http(s) origins without a path; `*` refused. */
export function validOrigins(value: string): boolean {
  const parts = value.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) return false;
  return parts.every((p) => {
    if (p === '*') return false;
    try {
      const u = new URL(p);
      return (u.protocol === 'http:' || u.protocol === 'https:') && (u.pathname === '/' || u.pathname === '') && !p.replace(/^https?:\/\//, '').includes('/') && u.search === '' && u.hash === '';
    } catch {
      return false;
    }
  });
}

/** `adminSettings.corsOrigin` → `corsOrigin` (our catalogue keys drop the original's prefix). */
export function labelName(labelKey: string): string {
  const dot = labelKey.lastIndexOf('.');
  return dot >= 0 ? labelKey.slice(dot + 1) : labelKey;
}
