// A tool approval: tool name (Bash/Write/Edit marked dangerous), the first input fields, a
// countdown to expiresAt, and Allow / Allow always / Deny (with an optional reason).
import { useEffect, useState } from 'react';
import type { PendingApproval } from '../state/types';
import { answerPermission } from './chatStore';
import { useT } from '../i18n';
import { toast } from '../components/Toast';

const DANGEROUS = new Set(['Bash', 'Write', 'Edit', 'MultiEdit', 'NotebookEdit', 'shell', 'exec_command', 'apply_patch']);

function preview(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return s.length > 300 ? s.slice(0, 300) + '…' : s;
}

export function PermissionCard({ approval, compact }: { approval: PendingApproval; compact?: boolean }) {
  const t = useT();
  const [now, setNow] = useState(Date.now());
  const [denying, setDenying] = useState(false);
  const [reason, setReason] = useState('');
  useEffect(() => {
    if (approval.status !== 'pending') return;
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, [approval.status]);
  const left = Math.max(0, Math.round((Date.parse(approval.expiresAt) - now) / 1000));
  const entries = Object.entries(approval.toolInput ?? {}).slice(0, compact ? 2 : 4);
  const danger = DANGEROUS.has(approval.toolName);
  const answer = (d: 'allow' | 'allowAlways' | 'deny') => {
    if (!answerPermission(approval.requestId, d, d === 'deny' ? reason : undefined)) toast(t('chat.notConnected'), 'error');
  };
  const titleId = `perm-${approval.requestId}`;
  return (
    <div className={`permission-card${danger ? ' danger' : ''} status-${approval.status}`} role="group" aria-labelledby={titleId}>
      <div className="permission-head">
        <strong id={titleId}>{t('chat.permissionTitle', { agent: approval.agentName, tool: approval.toolName })}</strong>
        {danger && <span className="tag tag-danger">{t('chat.dangerous')}</span>}
        {approval.status === 'pending' && (
          <span className="countdown" aria-label={t('chat.expiresIn', { s: left })}>
            {Math.floor(left / 60)}:{String(left % 60).padStart(2, '0')}
          </span>
        )}
      </div>
      {entries.length > 0 && (
        <dl className="permission-input">
          {entries.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>
                <code>{preview(v)}</code>
              </dd>
            </div>
          ))}
        </dl>
      )}
      {approval.status === 'pending' ? (
        denying ? (
          <div className="form-row">
            <input aria-label={t('chat.denyReason')} placeholder={t('chat.denyReason')} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} autoFocus />
            <button type="button" className="btn btn-danger btn-sm" onClick={() => answer('deny')}>
              {t('chat.deny')}
            </button>
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setDenying(false)}>
              {t('common.cancel')}
            </button>
          </div>
        ) : (
          <div className="form-row">
            <button type="button" className="btn btn-primary btn-sm" onClick={() => answer('allow')}>
              {t('chat.allow')}
            </button>
            <button type="button" className="btn btn-secondary btn-sm" onClick={() => answer('allowAlways')}>
              {t('chat.allowAlways')}
            </button>
            <button type="button" className="btn btn-danger btn-sm" onClick={() => answer('deny')}>
              {t('chat.deny')}
            </button>
            {!compact && (
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => setDenying(true)}>
                {t('chat.denyWithReason')}
              </button>
            )}
          </div>
        )
      ) : (
        <p className="muted small" role="status">
          {approval.status === 'expired' ? t('chat.permissionExpired') : t(`chat.decision.${approval.decision ?? 'allow'}`)}
        </p>
      )}
    </div>
  );
}
