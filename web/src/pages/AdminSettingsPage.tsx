// Placeholder until the pages helper fills it in.
import { useT } from '../i18n';

export default function AdminSettingsPage() {
  const t = useT();
  return (
    <section className="page">
      <h1>{t('common.loading')}</h1>
    </section>
  );
}
