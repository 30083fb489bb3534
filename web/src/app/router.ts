// A small history router (no router package in Debian): the path as an observable,
// navigate(), <Link>, and pattern matching with :params.
import { createElement, type AnchorHTMLAttributes, type MouseEvent } from 'react';
import { observable, useObservable } from '../lib/observable';

const loc = observable<string>(typeof location !== 'undefined' ? location.pathname + location.search : '/');

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  loc.set(location.pathname + location.search);
}

if (typeof window !== 'undefined') {
  window.addEventListener('popstate', () => loc.set(location.pathname + location.search));
}

export function useLocation(): { path: string; query: URLSearchParams } {
  const full = useObservable(loc);
  const i = full.indexOf('?');
  return { path: i < 0 ? full : full.slice(0, i), query: new URLSearchParams(i < 0 ? '' : full.slice(i + 1)) };
}

/** Matches '/room/:roomId' against a path; returns the params or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  if (pattern === '*') return {};
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) {
      try {
        params[p[i].slice(1)] = decodeURIComponent(s[i]);
      } catch {
        return null;
      }
    } else if (p[i] !== s[i]) return null;
  }
  return params;
}

export type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string };

/** An <a> that navigates without reloading (modifier clicks still open new tabs). */
export function Link({ to, onClick, ...rest }: LinkProps) {
  return createElement('a', {
    ...rest,
    href: to,
    onClick: (e: MouseEvent<HTMLAnchorElement>) => {
      onClick?.(e);
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      navigate(to);
    },
  });
}
