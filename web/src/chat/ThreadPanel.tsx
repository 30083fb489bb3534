// A thread: the root message and its replies (loaded, then kept live from the room), with a
// reply box.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { Message } from '../state/types';
import { thread } from '../api/rooms';
import { useObservable } from '../lib/observable';
import { chat, sendMessage } from './chatStore';
import { useT, formatTime } from '../i18n';
import { Markdown } from './Markdown';
import { toast } from '../components/Toast';

export function ThreadPanel({ root, onClose }: { root: Message; onClose: () => void }) {
  const t = useT();
  const [loaded, setLoaded] = useState<Message[]>([]);
  const [text, setText] = useState('');
  const roomMessages = useObservable(chat).rooms[root.roomId]?.messages ?? [];
  useEffect(() => {
    void thread(root.id).then(setLoaded, (e: Error) => toast(e.message, 'error'));
  }, [root.id]);
  const replies = useMemo(() => {
    const map = new Map<string, Message>();
    for (const m of loaded) map.set(m.id, m);
    for (const m of roomMessages) if (m.replyToId === root.id) map.set(m.id, m);
    return [...map.values()].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  }, [loaded, roomMessages, root.id]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    sendMessage(root.roomId, text.trim(), { replyToId: root.id });
    setText('');
  };
  return (
    <aside className="side-panel thread-panel" aria-labelledby="thread-title">
      <header className="side-panel-head">
        <h2 id="thread-title">{t('chat.thread')}</h2>
        <button type="button" className="btn btn-ghost icon-btn" aria-label={t('chat.closeThread')} onClick={onClose}>
          ✕
        </button>
      </header>
      <div className="thread-root">
        <strong>{root.senderName}</strong> <time className="muted small">{formatTime(root.createdAt)}</time>
        <Markdown text={root.content} />
      </div>
      <ul className="thread-replies" aria-label={t('chat.replies')}>
        {replies.map((m) => (
          <li key={m.id}>
            <strong>{m.senderName}</strong> <time className="muted small">{formatTime(m.createdAt)}</time>
            <Markdown text={m.content} />
          </li>
        ))}
      </ul>
      <form onSubmit={submit} className="thread-form">
        <textarea
          aria-label={t('chat.replyInThread')}
          value={text}
          rows={2}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              submit(e);
            }
          }}
        />
        <button type="submit" className="btn btn-primary btn-sm" disabled={!text.trim()}>
          {t('chat.reply')}
        </button>
      </form>
    </aside>
  );
}
