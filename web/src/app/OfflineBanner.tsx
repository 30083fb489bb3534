import { useEffect, useState } from 'react';
import { useT } from '../i18n';
import { useSession } from '../stores/session';
import { useConnectionState } from '../realtime/socket';

/** Shown while the browser is offline or the session came from the local cache. */
export function OfflineBanner() {
  const t = useT();
  const { offline } = useSession();
  const state = useConnectionState();
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const up = () => setOnline(true);
    const down = () => setOnline(false);
    addEventListener('online', up);
    addEventListener('offline', down);
    return () => {
      removeEventListener('online', up);
      removeEventListener('offline', down);
    };
  }, []);
  if (online && !offline) return null;
  if (online && state === 'open') return null;
  return (
    <div className="banner banner-warn" role="status">
      {t('common.offline')}
    </div>
  );
}
