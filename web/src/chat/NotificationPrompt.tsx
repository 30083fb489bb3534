// Asks once for permission to show desktop notifications (dismissal is remembered).
import { useState } from 'react';
import { useT } from '../i18n';

const KEY = 'agentim.notifyPrompt';

export function NotificationPrompt() {
  const t = useT();
  const [hidden, setHidden] = useState(() => {
    try {
      return typeof Notification === 'undefined' || Notification.permission !== 'default' || localStorage.getItem(KEY) === 'dismissed';
    } catch {
      return true;
    }
  });
  if (hidden) return null;
  const dismiss = () => {
    try {
      localStorage.setItem(KEY, 'dismissed');
    } catch {
      /* ignore */
    }
    setHidden(true);
  };
  return (
    <div className="banner banner-info" role="region" aria-label={t('common.notifications')}>
      <span>{t('chat.enableNotificationsHint')}</span>
      <button type="button" className="btn btn-primary btn-sm" onClick={() => void Notification.requestPermission().finally(() => setHidden(true))}>
        {t('chat.enableNotifications')}
      </button>
      <button type="button" className="btn btn-ghost btn-sm" onClick={dismiss}>
        {t('common.dismiss')}
      </button>
    </div>
  );
}
