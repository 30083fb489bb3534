// The password policy as a checklist that ticks off while the person types.
import { useT } from '../../i18n';
import { PASSWORD_RULES, passwordProblems } from './passwordPolicy';

export function PasswordChecklist({ password }: { password: string }) {
  const t = useT();
  const problems = new Set(passwordProblems(password));
  const rules = PASSWORD_RULES.filter((r) => r !== 'validation.passwordMaxLength' || problems.has(r));
  return (
    <div>
      <span>{t('settings.policyTitle')}</span>
      <ul className="pg-policy" style={{ margin: '4px 0 0', paddingLeft: 18 }}>
        {rules.map((r) => {
          const met = password !== '' && !problems.has(r);
          return (
            <li key={r} className={met ? 'pg-ok' : undefined}>
              {met ? '✓ ' : ''}
              {t(`settings.policy_${r.slice('validation.'.length)}`)}
              <span className="sr-only">{met ? ` (${t('settings.policyMet')})` : ''}</span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
