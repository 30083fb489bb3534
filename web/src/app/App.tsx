// Top level: restores the session, picks the route, guards access, wraps pages in the shell.
import { Suspense, useEffect, useRef } from 'react';
import { routes, type RouteDef } from './routes';
import { matchPath, navigate, useLocation } from './router';
import { restoreSession, useSession } from '../stores/session';
import { Shell } from './Shell';
import { Spinner } from '../components/Spinner';
import { Toaster } from '../components/Toast';
import { UpdateBanner } from './UpdateBanner';

function resolve(path: string): { route: RouteDef; params: Record<string, string> } {
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (params) return { route, params };
  }
  return { route: routes[routes.length - 1], params: {} };
}

export function App() {
  const { path } = useLocation();
  const session = useSession();
  const { route } = resolve(path);
  const mainRef = useRef<HTMLElement>(null);

  useEffect(() => {
    void restoreSession();
  }, []);

  // Guards: signed-out users go to /login (remembering where they were going).
  useEffect(() => {
    if (session.status === 'signed-out' && route.access !== 'anonymous') {
      const next = path !== '/' ? `?next=${encodeURIComponent(path)}` : '';
      navigate(`/login${next}`, { replace: true });
    } else if (session.status === 'signed-in' && path === '/login') {
      navigate('/', { replace: true });
    }
  }, [session.status, route.access, path]);

  // Focus moves to the main content on navigation (not on the first load).
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    mainRef.current?.focus({ preventScroll: true });
  }, [path]);

  if (session.status === 'unknown' && route.access !== 'anonymous') {
    return <Spinner />;
  }
  const Page = route.component;
  const content = (
    <Suspense fallback={<Spinner />}>
      <Page />
    </Suspense>
  );
  if (route.bare || session.status !== 'signed-in') {
    return (
      <>
        <main id="main" ref={mainRef} tabIndex={-1} className="bare-main">
          {content}
        </main>
        <Toaster />
      </>
    );
  }
  if (route.access === 'admin' && session.user?.role !== 'admin') {
    const NotFound = routes[routes.length - 1].component;
    return (
      <Shell mainRef={mainRef} nav={undefined}>
        <Suspense fallback={<Spinner />}>
          <NotFound />
        </Suspense>
      </Shell>
    );
  }
  return (
    <>
      <UpdateBanner />
      <Shell mainRef={mainRef} nav={route.nav}>
        {content}
      </Shell>
    </>
  );
}
