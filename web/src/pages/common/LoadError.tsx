// A page whose data failed to load: the error as an alert, with Retry next to it.
import { Button } from '../../components/Button';
import { useT } from '../../i18n';

export function LoadError({ error, onRetry }: { error: string | null; onRetry: () => void }) {
  const t = useT();
  if (!error) return null;
  return (
    <div className="pg-error-box" role="alert">
      {error} <Button size="sm" onClick={onRetry}>{t('common.retry')}</Button>
    </div>
  );
}
