// The agent type picker the spawn dialog and the credentials panel share.
import { useT } from '../../i18n';
import { Field } from '../../components/Field';
import { AGENT_TYPES, type AgentType } from '../../api/agents';

export function AgentTypeField({ value, onChange }: { value: AgentType; onChange: (type: AgentType) => void }) {
  const t = useT();
  return (
    <Field label={t('agents.agentType')}>
      <select value={value} onChange={(e) => onChange(e.target.value as AgentType)}>
        {AGENT_TYPES.map((ty) => (
          <option key={ty} value={ty}>
            {t(`agents.type_${ty}`)}
          </option>
        ))}
      </select>
    </Field>
  );
}
