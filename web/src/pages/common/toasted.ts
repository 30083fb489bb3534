// A confirmed change (a delete, mostly): the outcome is told in a toast, success or the error.
import { toast } from '../../components/Toast';
import { errorText } from './errors';

/** Runs `action`; then toasts `success` when given, or the error it threw. */
export async function toasted(action: () => Promise<void>, success?: string): Promise<void> {
  try {
    await action();
    if (success !== undefined) toast(success, 'success');
  } catch (e) {
    toast(errorText(e), 'error');
  }
}
