// One message: sender, time, markdown body (agent replies with their steps), attachments,
// reactions, reply quote and thread count, and actions (react, reply, thread, edit, delete,
// forward, bookmark, copy). Local messages show "sending"/"waiting for connection".
import { memo, useRef, useState } from 'react';
import type { Message } from '../state/types';
import type { RoomMember } from '../api/rooms';
import * as rest from '../api/rooms';
import { Markdown } from './Markdown';
import { ChunkBlocks } from './ChunkBlocks';
import { Avatar } from './Avatar';
import { Attachments } from './Attachments';
import { useT, formatTime, formatDateTime } from '../i18n';
import { currentUser } from '../stores/session';
import { toast } from '../components/Toast';
import { ConfirmDialog } from '../components/Dialog';
import { ForwardDialog } from './ForwardDialog';
import { discardUnsent, retryUnsent, dispatch, rewindRoom } from './chatStore';
import { Icon } from '../components/Icon';
import { bookmarkIdFor, toggleBookmark, useBookmarks } from './bookmarks';

export const QUICK_EMOJI = ['👍', '❤️', '😂', '🎉', '👀', '🚀', '✅', '❌'];

interface Props {
  message: Message;
  grouped: boolean;
  replyTo?: Message;
  replies: number;
  members?: RoomMember[];
  /** every agent in the room supports rewind */
  canRewind?: boolean;
  onReply: (m: Message) => void;
  onThread: (m: Message) => void;
  onImage: (attachmentId: string) => void;
}

export const MessageItem = memo(function MessageItem({ message: m, grouped, replyTo, replies, onReply, onThread, onImage, canRewind }: Props) {
  const t = useT();
  const me = currentUser();
  const mine = m.senderId === me?.id && m.senderType === 'user';
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(m.content);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [confirmRewind, setConfirmRewind] = useState(0);
  const rewindStep = useRef(false);
  const [forward, setForward] = useState(false);
  const [picker, setPicker] = useState(false);
  useBookmarks();
  const bookmarked = !!bookmarkIdFor(m.id);

  if (m.type === 'system' || m.senderType === 'system') {
    return (
      <div className="message-system" role="note">
        <span>{m.content}</span> <time dateTime={m.createdAt}>{formatTime(m.createdAt)}</time>
      </div>
    );
  }

  const react = async (emoji: string) => {
    setPicker(false);
    try {
      const reactions = await rest.toggleReaction(m.id, emoji);
      dispatch({ type: 'reactions', roomId: m.roomId, messageId: m.id, reactions });
    } catch (e) {
      toast((e as Error).message, 'error');
    }
  };
  const saveEdit = async () => {
    const content = draft.trim();
    if (!content || content === m.content) return setEditing(false);
    try {
      const updated = await rest.editMessage(m.id, content);
      dispatch({ type: 'edited', message: { ...m, ...updated } });
      setEditing(false);
    } catch (e) {
      toast((e as Error).message, 'error');
    }
  };
  const remove = async () => {
    try {
      await rest.deleteMessage(m.id);
      dispatch({ type: 'deleted', roomId: m.roomId, messageId: m.id });
    } catch (e) {
      toast((e as Error).message, 'error');
    }
  };

  const agent = m.senderType === 'agent';
  const label = `${m.senderName}, ${formatDateTime(m.createdAt)}`;
  return (
    <article className={`message${grouped ? ' grouped' : ''}${agent ? ' message-agent' : ''}${mine ? ' mine' : ''}${m.local ? ' local' : ''}`} aria-label={label} data-message-id={m.id}>
      <div className="message-gutter">{!grouped ? <Avatar name={m.senderName} agent={agent} /> : <time className="hover-time" dateTime={m.createdAt}>{formatTime(m.createdAt)}</time>}</div>
      <div className="message-main">
        {!grouped && (
          <div className="message-head">
            <span className="sender">{m.senderName}</span>
            {agent && <span className="tag">{t('chat.agentTag')}</span>}
            <time dateTime={m.createdAt} title={formatDateTime(m.createdAt)}>
              {formatTime(m.createdAt)}
            </time>
          </div>
        )}
        {replyTo !== undefined || m.replyToId ? (
          <button type="button" className="reply-quote" onClick={() => replyTo && onThread(replyTo)} aria-label={t('chat.inReplyTo', { name: replyTo?.senderName ?? '…' })}>
            ↪ <strong>{replyTo?.senderName ?? t('chat.earlierMessage')}</strong> {replyTo?.content.slice(0, 120)}
          </button>
        ) : null}
        {agent && m.chunks?.length ? <ChunkBlocks chunks={m.chunks} /> : null}
        {editing ? (
          <div className="edit-box">
            <textarea
              aria-label={t('chat.editMessage')}
              value={draft}
              autoFocus
              onChange={(e) => setDraft(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !e.shiftKey) {
                  e.preventDefault();
                  void saveEdit();
                } else if (e.key === 'Escape') setEditing(false);
              }}
            />
            <div className="form-row">
              <button type="button" className="btn btn-primary btn-sm" onClick={saveEdit}>
                {t('common.save')}
              </button>
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => setEditing(false)}>
                {t('common.cancel')}
              </button>
            </div>
          </div>
        ) : (
          m.content && <Markdown text={m.content} />
        )}
        {m.updatedAt && !editing && <span className="muted small edited">({t('chat.edited')})</span>}
        {m.attachments?.length ? <Attachments attachments={m.attachments} onImage={onImage} /> : null}
        {m.local && (
          <div className={`local-status status-${m.local.status}`} role="status">
            {m.local.status === 'sending' ? t('chat.sending') : m.local.status === 'failed' ? t('chat.sendFailed') : t('chat.waitingForConnection')}
            {m.local.status !== 'sending' && (
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => retryUnsent(m.local!.clientMessageId)}>
                {t('common.retry')}
              </button>
            )}
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => discardUnsent(m.local!.clientMessageId, m.roomId)}>
              {t('chat.discard')}
            </button>
          </div>
        )}
        {(m.reactions?.length ?? 0) > 0 && (
          <div className="reactions">
            {m.reactions!.map((r) => {
              const on = !!me && r.userIds.includes(me.id);
              return (
                <button
                  key={r.emoji}
                  type="button"
                  className={`reaction${on ? ' on' : ''}`}
                  aria-pressed={on}
                  aria-label={t('chat.reactionLabel', { emoji: r.emoji, n: r.userIds.length, names: r.usernames.join(', ') })}
                  title={r.usernames.join(', ')}
                  onClick={() => react(r.emoji)}
                >
                  {r.emoji} {r.userIds.length}
                </button>
              );
            })}
          </div>
        )}
        {replies > 0 && (
          <button type="button" className="btn btn-ghost btn-sm thread-link" onClick={() => onThread(m)}>
            {t('chat.replyCount', { n: replies })}
          </button>
        )}
        {picker && (
          <div className="emoji-picker" role="group" aria-label={t('chat.addReaction')}>
            {QUICK_EMOJI.map((e) => (
              <button key={e} type="button" className="btn btn-ghost btn-sm" aria-label={t('chat.reactWith', { emoji: e })} onClick={() => react(e)}>
                {e}
              </button>
            ))}
          </div>
        )}
      </div>
      {!m.local && !editing && (
        <div className="message-actions" role="toolbar" aria-label={t('chat.messageActions')}>
          <button type="button" className="btn btn-ghost icon-btn" aria-label={t('chat.addReaction')} title={t('chat.addReaction')} aria-expanded={picker} onClick={() => setPicker(!picker)}>
            <Icon name="smile" />
          </button>
          <button type="button" className="btn btn-ghost icon-btn" aria-label={t('chat.reply')} title={t('chat.reply')} onClick={() => onReply(m)}>
            <Icon name="reply" />
          </button>
          <button type="button" className="btn btn-ghost icon-btn" aria-label={t('chat.openThread')} title={t('chat.openThread')} onClick={() => onThread(m)}>
            <Icon name="thread" />
          </button>
          <button type="button" className="btn btn-ghost icon-btn" aria-label={bookmarked ? t('chat.removeBookmark') : t('chat.bookmark')} title={bookmarked ? t('chat.removeBookmark') : t('chat.bookmark')} aria-pressed={bookmarked} onClick={() => toggleBookmark(m.id)}>
            <Icon name="bookmark" />
          </button>
          <button type="button" className="btn btn-ghost icon-btn" aria-label={t('chat.forward')} title={t('chat.forward')} onClick={() => setForward(true)}>
            <Icon name="forward" />
          </button>
          <button type="button" className="btn btn-ghost icon-btn" aria-label={t('chat.copyText')} title={t('chat.copyText')} onClick={() => void navigator.clipboard?.writeText(m.content).then(() => toast(t('chat.copied'), 'success'))}>
            <Icon name="copy" />
          </button>
          {mine && (
            <>
              <button type="button" className="btn btn-ghost icon-btn" aria-label={t('chat.editMessage')} title={t('chat.editMessage')} onClick={() => { setDraft(m.content); setEditing(true); }}>
                <Icon name="edit" />
              </button>
              <button type="button" className="btn btn-ghost icon-btn" aria-label={t('chat.deleteMessage')} title={t('chat.deleteMessage')} onClick={() => setConfirmDelete(true)}>
                <Icon name="trash" />
              </button>
              {canRewind && (
                <button type="button" className="btn btn-ghost icon-btn" aria-label={t('chat.rewind')} title={t('chat.rewind')} onClick={() => setConfirmRewind(1)}>
                  <Icon name="rewind" />
                </button>
              )}
            </>
          )}
        </div>
      )}
      {confirmDelete && <ConfirmDialog title={t('chat.deleteMessage')} message={t('chat.deleteConfirm')} confirmLabel={t('common.delete')} danger onConfirm={remove} onClose={() => setConfirmDelete(false)} />}
      {confirmRewind > 0 && (
        <ConfirmDialog
          title={t('chat.rewind')}
          message={confirmRewind === 1 ? t('chat.rewindConfirm') : t('chat.rewindConfirmAgain')}
          confirmLabel={confirmRewind === 1 ? t('common.confirm') : t('chat.rewind')}
          danger
          onConfirm={() => {
            if (confirmRewind === 1) {
              rewindStep.current = true; // two steps: the first confirm asks again
              return;
            }
            if (!rewindRoom(m.roomId, m.id)) toast(t('chat.notConnected'), 'error');
          }}
          onClose={() => {
            setConfirmRewind(rewindStep.current ? 2 : 0);
            rewindStep.current = false;
          }}
        />
      )}
      {forward && <ForwardDialog message={m} onClose={() => setForward(false)} />}
    </article>
  );
});
