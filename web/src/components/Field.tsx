// A labelled form field; the label names the control, hint and error are described-by.
import { cloneElement, isValidElement, useId, type ReactElement, type ReactNode } from 'react';

export interface FieldProps {
  label: string;
  children: ReactElement<any>;
  hint?: ReactNode;
  error?: string | null;
  className?: string;
  /** hide the label visually but keep it as the accessible name */
  hideLabel?: boolean;
}

export function Field({ label, children, hint, error, className, hideLabel }: FieldProps) {
  const id = useId();
  const controlId = (isValidElement(children) && (children.props as { id?: string }).id) || `f${id}`;
  const hintId = hint ? `${controlId}-hint` : undefined;
  const errId = error ? `${controlId}-err` : undefined;
  const describedBy = [hintId, errId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}${className ? ' ' + className : ''}`}>
      <label htmlFor={controlId} className={hideLabel ? 'sr-only' : undefined}>
        {label}
      </label>
      {cloneElement(children as ReactElement<Record<string, unknown>>, { id: controlId, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined })}
      {hint && (
        <div id={hintId} className="field-hint">
          {hint}
        </div>
      )}
      {error && (
        <div id={errId} className="field-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
