// Translation: t('area.key', {var}) with `{var}` placeholders; catalogs are flat objects per
// area in locales/<lang>/<area>.ts, merged in locales/index.ts with the area as key prefix.
import { useSyncExternalStore } from 'react';
import { catalogs, type Language } from './locales';

export type { Language } from './locales';
export const languages: { code: Language; label: string }[] = [
  { code: 'en', label: 'English' },
  { code: 'zh-CN', label: '简体中文' },
];

const KEY = 'agentim.lang';
const listeners = new Set<() => void>();

export function detectLanguage(stored: string | null, browser: readonly string[]): Language {
  if (stored === 'en' || stored === 'zh-CN') return stored;
  for (const l of browser) {
    const lower = l.toLowerCase();
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

function initial(): Language {
  let stored: string | null = null;
  try {
    stored = typeof localStorage !== 'undefined' ? localStorage.getItem(KEY) : null;
  } catch {
    /* ignore */
  }
  const browser = typeof navigator !== 'undefined' ? navigator.languages ?? [navigator.language] : [];
  return detectLanguage(stored, browser);
}

let current: Language = initial();
applyDocumentLang();

function applyDocumentLang() {
  if (typeof document !== 'undefined') document.documentElement.lang = current;
}

export function getLanguage(): Language {
  return current;
}

export function setLanguage(lang: Language): void {
  current = lang;
  try {
    localStorage.setItem(KEY, lang);
  } catch {
    /* ignore */
  }
  applyDocumentLang();
  for (const l of [...listeners]) l();
}

export function format(template: string, vars?: Record<string, string | number>): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

export function t(key: string, vars?: Record<string, string | number>): string {
  const text = catalogs[current][key] ?? catalogs.en[key] ?? key;
  return format(text, vars);
}

function subscribe(l: () => void) {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** Re-renders the component when the language changes; returns `t`. */
export function useT(): typeof t {
  useSyncExternalStore(subscribe, getLanguage, getLanguage);
  return t;
}

export function useLanguage(): Language {
  return useSyncExternalStore(subscribe, getLanguage, getLanguage);
}

/** Localised date/time helpers. */
export function formatTime(iso: string): string {
  return new Date(iso).toLocaleTimeString(current, { hour: '2-digit', minute: '2-digit' });
}
export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString(current, { dateStyle: 'medium', timeStyle: 'short' });
}
