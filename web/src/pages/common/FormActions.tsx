// The end of a page form: its error (an alert) and its buttons — submit, and Cancel when the
// form can be left without saving.
import { Button } from '../../components/Button';
import { useT } from '../../i18n';

export interface FormActionsProps {
  submitLabel: string;
  busy?: boolean;
  /** keeps submit disabled (besides while busy) */
  disabled?: boolean;
  /** shown above the buttons as role=alert when set */
  error?: string | null;
  /** adds a Cancel button that calls it */
  onCancel?: () => void;
  size?: 'sm' | 'md';
}

export function FormActions({ submitLabel, busy, disabled, error, onCancel, size }: FormActionsProps) {
  const t = useT();
  return (
    <>
      {error && (
        <p className="pg-error" role="alert">
          {error}
        </p>
      )}
      <div className="pg-actions">
        <Button type="submit" size={size} variant="primary" busy={busy} disabled={disabled}>
          {submitLabel}
        </Button>
        {onCancel && (
          <Button size={size} onClick={onCancel}>
            {t('common.cancel')}
          </Button>
        )}
      </div>
    </>
  );
}
