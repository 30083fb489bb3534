// "x is typing…" and "Routing to agents…" as a polite live region.
import { useObservable } from '../lib/observable';
import { chat } from './chatStore';
import { useT } from '../i18n';

export function TypingLine({ roomId }: { roomId: string }) {
  const t = useT();
  const r = useObservable(chat).rooms[roomId];
  const names = Object.values(r?.typing ?? {}).map((x) => x.username);
  const text = names.length === 0 ? '' : names.length === 1 ? t('chat.typingOne', { name: names[0] }) : t('chat.typingMany', { names: names.slice(0, 3).join(', ') });
  return (
    <div className="typing-line" aria-live="polite" role="status">
      {text}
    </div>
  );
}
