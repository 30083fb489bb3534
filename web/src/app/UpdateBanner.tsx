import { useState } from 'react';
import { useObservable } from '../lib/observable';
import { applyUpdate, updateReady } from './serviceWorker';
import { useT } from '../i18n';

export function UpdateBanner() {
  const t = useT();
  const worker = useObservable(updateReady);
  const [hidden, setHidden] = useState(false);
  if (!worker || hidden) return null;
  return (
    <div className="banner banner-info" role="status">
      <span>{t('common.updateAvailable')}</span>
      <button type="button" className="btn btn-primary btn-sm" onClick={applyUpdate}>
        {t('common.reload')}
      </button>
      <button type="button" className="btn btn-ghost btn-sm" onClick={() => setHidden(true)}>
        {t('common.dismiss')}
      </button>
    </div>
  );
}
