// Turns what a failed call threw into text for a person: the hub's own message, with validation
// keys (`validation.passwordMinLength`, …) translated and field names attached.
import { ApiError } from '../../api/http';
import { t } from '../../i18n';

/** A hub validation message: an i18n key we know, or the validator's English as sent. */
export function validationText(message: string): string {
  if (message.startsWith('validation.')) {
    const key = `settings.${message}`;
    const text = t(key);
    if (text !== key) return text;
  }
  return message;
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 0) return t('admin.errNetwork');
    if (e.fields && e.fields.length > 0) {
      const details = e.fields.map((f) => {
        const field = f.field && f.field !== '(root)' ? `${f.field}: ` : '';
        return field + validationText(f.message);
      });
      return `${e.message}: ${details.join('; ')}`;
    }
    return e.message || t('common.error');
  }
  if (e instanceof Error && e.message) return e.message;
  return t('common.error');
}

/** Field → translated message, for showing errors beside inputs. */
export function fieldErrors(e: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (e instanceof ApiError) for (const f of e.fields ?? []) if (!out[f.field]) out[f.field] = validationText(f.message);
  return out;
}
