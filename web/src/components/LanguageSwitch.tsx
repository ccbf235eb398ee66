import { useTranslation } from 'react-i18next';
import { LANGUAGES, setLanguage } from '../i18n';

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <div className="lang-switch" role="group" aria-label={t('common.language')}>
      {LANGUAGES.map((lng) => (
        <button
          key={lng}
          type="button"
          className={i18n.language === lng ? 'active' : ''}
          aria-pressed={i18n.language === lng}
          onClick={() => setLanguage(lng)}
          data-testid={`lang-${lng}`}
          title={t(`common.language_${lng}`)}
        >
          {lng.toUpperCase()}
        </button>
      ))}
    </div>
  );
}
