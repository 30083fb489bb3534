// Placeholder: replaced by the chat store.
import { connect, disconnect } from '../realtime/socket';
export function startRealtime(): () => void {
  connect();
  return () => disconnect();
}
