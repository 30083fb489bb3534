// Light / dark / system theme, applied as data-theme on <html>; follows system changes.
import { observable, useObservable } from '../lib/observable';

export type ThemeChoice = 'light' | 'dark' | 'system';
const KEY = 'agentim.theme';

function stored(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    if (v === 'light' || v === 'dark' || v === 'system') return v;
  } catch {
    /* ignore */
  }
  return 'system';
}

export const theme = observable<ThemeChoice>(stored());
const media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null;

export function resolvedTheme(choice: ThemeChoice = theme.get()): 'light' | 'dark' {
  if (choice === 'system') return media?.matches ? 'dark' : 'light';
  return choice;
}

function apply() {
  if (typeof document === 'undefined') return;
  const t = resolvedTheme();
  document.documentElement.dataset.theme = t;
  document.querySelector('meta[name="theme-color"]')?.setAttribute('content', t === 'dark' ? '#111827' : '#4f46e5');
}

export function setTheme(choice: ThemeChoice): void {
  try {
    localStorage.setItem(KEY, choice);
  } catch {
    /* ignore */
  }
  theme.set(choice);
  apply();
}

export function useTheme(): ThemeChoice {
  return useObservable(theme);
}

media?.addEventListener?.('change', () => {
  if (theme.get() === 'system') apply();
});
apply();
