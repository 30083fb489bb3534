// After OAuth: the hub has set the refresh cookie; trade it for a session, then go to the chat.
import { useEffect, useState } from 'react';
import { api, refreshAccessToken } from '../api/http';
import { signedIn, type SessionUser } from '../stores/session';
import { navigate, useLocation } from '../app/router';
import { useT } from '../i18n';
import { Spinner } from '../components/Spinner';

export default function AuthCallbackPage() {
  const t = useT();
  const { query } = useLocation();
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    void (async () => {
      const token = await refreshAccessToken();
      if (!token) return setFailed(true);
      try {
        const user = await api<SessionUser>('GET', '/users/me');
        signedIn(user, token);
        navigate('/', { replace: true });
      } catch {
        setFailed(true);
      }
    })();
  }, []);
  useEffect(() => {
    if (failed) navigate(`/login?error=oauth_failed`, { replace: true });
  }, [failed]);
  return <Spinner label={t('auth.restoring') + (query.get('provider') ? ` (${query.get('provider')})` : '')} />;
}
