// Theme (light / dark / system) and language.
import { languages, setLanguage, useLanguage, useT, type Language } from '../../i18n';
import { setTheme, useTheme, type ThemeChoice } from '../../stores/theme';

export function AppearanceSection() {
  const t = useT();
  const theme = useTheme();
  const lang = useLanguage();
  const themes: ThemeChoice[] = ['light', 'dark', 'system'];
  return (
    <section className="pg-section" aria-labelledby="set-appearance">
      <h2 id="set-appearance">{t('settings.appearance')}</h2>
      <div className="pg-form">
        <fieldset>
          <legend>{t('common.theme')}</legend>
          <div className="pg-radio">
            {themes.map((choice) => (
              <label key={choice}>
                <input type="radio" name="theme" value={choice} checked={theme === choice} onChange={() => setTheme(choice)} />
                {t(`common.theme${choice.charAt(0).toUpperCase()}${choice.slice(1)}`)}
              </label>
            ))}
          </div>
        </fieldset>
        <div className="field">
          <label htmlFor="set-language">{t('common.language')}</label>
          <select id="set-language" value={lang} onChange={(e) => setLanguage(e.target.value as Language)}>
            {languages.map((l) => (
              <option key={l.code} value={l.code} lang={l.code}>
                {l.label}
              </option>
            ))}
          </select>
        </div>
      </div>
    </section>
  );
}
