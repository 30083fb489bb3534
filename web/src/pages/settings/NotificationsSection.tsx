// Desktop notifications (browser permission + the app's own on/off) and Web Push for this browser.
import { useEffect, useState } from 'react';
import { useT } from '../../i18n';
import { Button } from '../../components/Button';
import { toast } from '../../components/Toast';
import { ApiError } from '../../api/http';
import { errorText } from '../common/errors';
import { currentSubscription, disablePush, enablePush, pushSupported } from './push';

const PREF_KEY = 'agentim.notifications'; // read by the chat's notifier: 'off' silences it

function readPref(): boolean {
  try {
    return localStorage.getItem(PREF_KEY) !== 'off';
  } catch {
    return true;
  }
}

export function NotificationsSection() {
  const t = useT();
  const supported = typeof Notification !== 'undefined';
  const [permission, setPermission] = useState<NotificationPermission | 'unsupported'>(supported ? Notification.permission : 'unsupported');
  const [desktopOn, setDesktopOn] = useState(readPref);
  const [push, setPush] = useState<'unknown' | 'on' | 'off' | 'unsupported'>(pushSupported() ? 'unknown' : 'unsupported');
  const [pushBusy, setPushBusy] = useState(false);
  const [pushError, setPushError] = useState<string | null>(null);

  useEffect(() => {
    if (!pushSupported()) return;
    let live = true;
    currentSubscription().then(
      (s) => live && setPush(s ? 'on' : 'off'),
      () => live && setPush('off'),
    );
    return () => {
      live = false;
    };
  }, []);

  function setDesktop(on: boolean) {
    try {
      localStorage.setItem(PREF_KEY, on ? 'on' : 'off');
    } catch {
      /* ignore */
    }
    setDesktopOn(on);
  }

  async function askPermission() {
    if (!supported) return;
    const p = await Notification.requestPermission();
    setPermission(p);
    if (p === 'granted') setDesktop(true);
  }

  async function togglePush(on: boolean) {
    setPushBusy(true);
    setPushError(null);
    try {
      if (on) await enablePush();
      else await disablePush();
      setPush(on ? 'on' : 'off');
      toast(on ? t('settings.pushOnToast') : t('settings.pushOffToast'), 'success');
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) setPushError(t('settings.pushNotConfigured'));
      else if (e instanceof Error && e.message === 'permission-denied') setPushError(t('settings.permissionDenied'));
      else if (e instanceof Error && e.message === 'no-service-worker') setPushError(t('settings.pushNoWorker'));
      else setPushError(errorText(e));
    } finally {
      setPushBusy(false);
    }
  }

  return (
    <section className="pg-section" aria-labelledby="set-notify">
      <h2 id="set-notify">{t('common.notifications')}</h2>
      <div className="pg-form">
        <h3>{t('settings.desktopNotifications')}</h3>
        {permission === 'unsupported' ? (
          <p className="pg-muted">{t('settings.notificationsUnsupported')}</p>
        ) : (
          <>
            <p className="pg-muted">{t(`settings.permission_${permission}`)}</p>
            {permission === 'default' && <Button onClick={() => void askPermission()}>{t('settings.allowNotifications')}</Button>}
            <label className="pg-check">
              <input type="checkbox" role="switch" checked={desktopOn && permission === 'granted'} disabled={permission !== 'granted'} onChange={(e) => setDesktop(e.target.checked)} />
              {t('settings.desktopToggle')}
            </label>
          </>
        )}
        <h3>{t('settings.webPush')}</h3>
        <p className="pg-muted">{t('settings.webPushIntro')}</p>
        {push === 'unsupported' ? (
          <p className="pg-muted">{t('settings.pushUnsupported')}</p>
        ) : (
          <label className="pg-check">
            <input type="checkbox" role="switch" checked={push === 'on'} disabled={pushBusy || push === 'unknown'} aria-busy={pushBusy || undefined} onChange={(e) => void togglePush(e.target.checked)} />
            {t('settings.pushToggle')}
          </label>
        )}
        {pushError && (
          <p className="pg-error" role="alert">
            {pushError}
          </p>
        )}
      </div>
    </section>
  );
}
