import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../components/ui';

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <div data-testid="not-found-page">
      <PageHeader title={t('notfound.title')} />
      <p>{t('notfound.text')}</p>
      <Link to="/orgs">{t('notfound.back')}</Link>
    </div>
  );
}
