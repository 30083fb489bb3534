// Every permission request still waiting in rooms other than the open one, answerable here
// (the original never showed these and let them time out).
import { useObservable } from '../lib/observable';
import { chat, rooms } from './chatStore';
import { pendingApprovals } from '../state/roomState';
import { PermissionCard } from './PermissionCard';
import { useT } from '../i18n';
import { Link } from '../app/router';

export function ApprovalsPanel({ exceptRoom }: { exceptRoom?: string }) {
  const t = useT();
  const state = useObservable(chat);
  const list = useObservable(rooms);
  const pending = pendingApprovals(state, exceptRoom);
  if (!pending.length) return null;
  return (
    <section className="approvals-panel" aria-labelledby="approvals-title">
      <h2 id="approvals-title">{t('chat.pendingApprovals', { n: pending.length })}</h2>
      <div className="approvals-list">
        {pending.map((a) => {
          const room = list.find((r) => r.id === a.roomId);
          return (
            <div key={a.requestId} className="approval-item">
              <div className="approval-room">
                <Link to={`/room/${encodeURIComponent(a.roomId)}`}>{room?.name ?? a.roomId}</Link>
              </div>
              <PermissionCard approval={a} compact />
            </div>
          );
        })}
      </div>
    </section>
  );
}
