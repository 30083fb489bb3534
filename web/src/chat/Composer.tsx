// The composer: a textbox "Message" and "Send" (Enter sends, Shift+Enter is a newline,
// Ctrl/⌘+Enter always sends), @mention autocomplete of the room's agents, the slash menu
// (/clear, /help, /stop [@agent]), a draft per room, attachments by button, drag-and-drop and
// paste with progress and retries, typing notices at most every 2 s.
import { useEffect, useMemo, useRef, useState, type ChangeEvent, type ClipboardEvent, type DragEvent, type KeyboardEvent } from 'react';
import type { Room } from '../api/rooms';
import { clearRoom } from '../api/rooms';
import type { Message } from '../state/types';
import { useObservable } from '../lib/observable';
import { agents, chat, dispatch, members, sendMessage, sendTyping, stopGeneration, agentCommand } from './chatStore';
import { useT } from '../i18n';
import { toast } from '../components/Toast';
import { ALLOWED_TYPES, fileType, uploadWithRetry, type PendingUpload } from './uploads';
import { formatSize } from './Attachments';
import { ConfirmDialog } from '../components/Dialog';
import { currentUser } from '../stores/session';
import { drafts } from './drafts';
import { Icon } from '../components/Icon';

interface Option {
  value: string;
  label: string;
  hint?: string;
}

export function Composer({ room, replyTo, onCancelReply }: { room: Room; replyTo: Message | null; onCancelReply: () => void }) {
  const t = useT();
  const userId = currentUser()?.id ?? '';
  const [text, setText] = useState(() => drafts.peek(userId, room.id) ?? '');
  /** the stored draft is in `text` (or typing began first): saving may now replace it */
  const draftLoaded = useRef(drafts.peek(userId, room.id) !== undefined);
  const [uploads, setUploads] = useState<PendingUpload[]>([]);
  const [menu, setMenu] = useState<{ kind: 'mention' | 'slash'; options: Option[]; active: number; start: number } | null>(null);
  const [dragging, setDragging] = useState(false);
  const [confirmClear, setConfirmClear] = useState(false);
  const ref = useRef<HTMLTextAreaElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const lastTyping = useRef(0);
  const mentionTimer = useRef<ReturnType<typeof setTimeout>>();
  const roomMembers = useObservable(members)[room.id] ?? [];
  const agentMap = useObservable(agents);
  const streams = useObservable(chat).rooms[room.id]?.streams ?? {};

  const roomAgents = useMemo(
    () => roomMembers.filter((m) => m.memberType === 'agent').map((m) => ({ id: m.memberId, name: agentMap[m.memberId]?.name ?? m.displayName ?? m.memberId, status: agentMap[m.memberId]?.status })),
    [roomMembers, agentMap],
  );

  // Draft per room, kept across reloads (IndexedDB, read once per room and session).
  useEffect(() => {
    if (draftLoaded.current) return;
    let live = true;
    void drafts.load(userId, room.id).then((stored) => {
      if (!live) return;
      draftLoaded.current = true;
      if (stored) setText((typed) => typed || stored);
    });
    return () => {
      live = false;
    };
  }, [userId, room.id]);
  useEffect(() => {
    // Before the stored draft arrived, an empty box must not erase it; typing first wins.
    if (!draftLoaded.current && !text) return;
    draftLoaded.current = true;
    drafts.save(userId, room.id, text);
  }, [text, userId, room.id]);

  useEffect(() => {
    if (replyTo) ref.current?.focus();
  }, [replyTo]);

  // Drop files anywhere on the room column.
  useEffect(() => {
    const column = ref.current?.closest('.room-column') as HTMLElement | null;
    if (!column) return;
    const over = (e: globalThis.DragEvent) => {
      if (e.dataTransfer?.types.includes('Files')) {
        e.preventDefault();
        setDragging(true);
      }
    };
    const leave = (e: globalThis.DragEvent) => {
      if (!column.contains(e.relatedTarget as Node)) setDragging(false);
    };
    const drop = (e: globalThis.DragEvent) => {
      if (!e.dataTransfer?.files.length) return;
      e.preventDefault();
      setDragging(false);
      addFiles([...e.dataTransfer.files]);
    };
    column.addEventListener('dragover', over);
    column.addEventListener('dragleave', leave);
    column.addEventListener('drop', drop);
    return () => {
      column.removeEventListener('dragover', over);
      column.removeEventListener('dragleave', leave);
      column.removeEventListener('drop', drop);
    };
  }, []);

  const autosize = () => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = Math.min(el.scrollHeight, 240) + 'px';
  };
  useEffect(autosize, [text]);

  const addFiles = (files: File[]) => {
    for (const file of files) {
      const type = fileType(file);
      if (!ALLOWED_TYPES.includes(type)) {
        toast(t('chat.fileTypeNotAllowed', { name: file.name }), 'error');
        continue;
      }
      const key = `${Date.now()}-${Math.random()}`;
      const previewUrl = type.startsWith('image/') ? URL.createObjectURL(file) : undefined;
      setUploads((u) => [...u, { key, file, progress: 0, status: 'uploading', attempt: 1, previewUrl }]);
      startUpload(key, file);
    }
  };

  const patch = (key: string, p: Partial<PendingUpload>) => setUploads((list) => list.map((u) => (u.key === key ? { ...u, ...p } : u)));
  const startUpload = (key: string, file: File) => {
    patch(key, { status: 'uploading', error: undefined, progress: 0 });
    uploadWithRetry(
      file,
      (progress) => patch(key, { progress }),
      (attempt) => patch(key, { attempt }),
    ).then(
      (result) => patch(key, { status: 'done', result, progress: 1 }),
      (e: Error) => patch(key, { status: 'failed', error: e.message }),
    );
  };
  const removeUpload = (key: string) =>
    setUploads((list) => {
      const u = list.find((x) => x.key === key);
      if (u?.previewUrl) URL.revokeObjectURL(u.previewUrl);
      return list.filter((x) => x.key !== key);
    });

  const runSlash = (content: string): boolean => {
    const [cmd, ...rest] = content.trim().split(/\s+/);
    const arg = rest.join(' ');
    if (cmd === '/clear') {
      setConfirmClear(true);
      return true;
    }
    if (cmd === '/help') {
      toast(t('chat.helpText'), 'info', 12000);
      return true;
    }
    if (cmd === '/stop') {
      const name = arg.replace(/^@/, '');
      const targets = name ? roomAgents.filter((a) => a.name === name).map((a) => a.id) : Object.keys(streams);
      if (!targets.length) toast(name ? t('chat.noSuchAgent', { name }) : t('chat.nothingToStop'), 'info');
      for (const id of targets) {
        stopGeneration(room.id, id);
        dispatch({ type: 'stopStream', roomId: room.id, agentId: id });
      }
      return true;
    }
    // Agent slash commands: `/model opus @agent` or, with one agent in the room, `/model opus`.
    const name = cmd.slice(1);
    const mention = rest.find((w) => w.startsWith('@'))?.slice(1);
    const candidates = roomAgents.filter((a) => (mention ? a.name === mention : true) && (agentMap[a.id]?.slashCommands ?? []).some((c) => c.name === name));
    if (candidates.length === 1) {
      agentCommand(room.id, candidates[0].id, name, rest.filter((w) => w !== `@${mention}`).join(' '));
      return true;
    }
    return false;
  };

  const submit = () => {
    const content = text.trim();
    const busy = uploads.some((u) => u.status === 'uploading');
    if (busy) {
      toast(t('chat.waitForUploads'), 'info');
      return;
    }
    const ready = uploads.filter((u) => u.status === 'done' && u.result).map((u) => u.result!);
    if (!content && !ready.length) return;
    if (content.startsWith('/') && !ready.length && runSlash(content)) {
      setText('');
      setMenu(null);
      return;
    }
    sendMessage(room.id, content || ready.map((r) => r.filename).join(', '), { replyToId: replyTo?.id, attachments: ready });
    setText('');
    setMenu(null);
    for (const u of uploads) if (u.previewUrl) URL.revokeObjectURL(u.previewUrl);
    setUploads([]);
    onCancelReply();
  };

  const updateMenu = (value: string, caret: number) => {
    const before = value.slice(0, caret);
    if (/^\/\S*$/.test(before)) {
      const q = before.slice(1).toLowerCase();
      const builtins: Option[] = [
        { value: '/clear', label: '/clear', hint: t('chat.slashClear') },
        { value: '/help', label: '/help', hint: t('chat.slashHelp') },
        { value: '/stop', label: '/stop', hint: t('chat.slashStop') },
      ];
      const agentCmds: Option[] = [];
      for (const a of roomAgents) for (const c of agentMap[a.id]?.slashCommands ?? []) agentCmds.push({ value: `/${c.name}`, label: `/${c.name}`, hint: `${a.name}: ${c.description}` });
      const options = [...builtins, ...agentCmds].filter((o) => o.value.slice(1).toLowerCase().startsWith(q)).slice(0, 12);
      setMenu(options.length ? { kind: 'slash', options, active: 0, start: 0 } : null);
      return;
    }
    const m = /(^|\s)@([A-Za-z0-9_-]*)$/.exec(before);
    if (m) {
      if (mentionTimer.current) clearTimeout(mentionTimer.current);
      mentionTimer.current = setTimeout(() => {
        const q = m[2].toLowerCase();
        const options = roomAgents
          .filter((a) => /^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(a.name) && a.name.toLowerCase().includes(q))
          .slice(0, 8)
          .map((a) => ({ value: a.name, label: `@${a.name}`, hint: a.status }));
        setMenu(options.length ? { kind: 'mention', options, active: 0, start: caret - m[2].length - 1 } : null);
      }, 150);
      return;
    }
    setMenu(null);
  };

  const choose = (o: Option) => {
    const el = ref.current!;
    const caret = el.selectionStart;
    let next: string;
    let pos: number;
    if (menu?.kind === 'slash') {
      next = o.value + ' ' + text.slice(caret).trimStart();
      pos = o.value.length + 1;
    } else {
      const start = menu?.start ?? caret;
      next = text.slice(0, start) + '@' + o.value + ' ' + text.slice(caret);
      pos = start + o.value.length + 2;
    }
    setText(next);
    setMenu(null);
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(pos, pos);
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.nativeEvent.isComposing) return;
    if (menu) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const d = e.key === 'ArrowDown' ? 1 : -1;
        setMenu({ ...menu, active: (menu.active + d + menu.options.length) % menu.options.length });
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        if (!(e.ctrlKey || e.metaKey)) {
          e.preventDefault();
          choose(menu.options[menu.active]);
          return;
        }
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setMenu(null);
        return;
      }
    }
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey || !e.shiftKey)) {
      e.preventDefault();
      submit();
    } else if (e.key === 'Escape' && replyTo) onCancelReply();
  };

  const onChange = (e: ChangeEvent<HTMLTextAreaElement>) => {
    setText(e.target.value);
    updateMenu(e.target.value, e.target.selectionStart);
    const now = Date.now();
    if (e.target.value && now - lastTyping.current > 2000) {
      lastTyping.current = now;
      sendTyping(room.id);
    }
  };

  const onPaste = (e: ClipboardEvent<HTMLTextAreaElement>) => {
    const files = [...e.clipboardData.files];
    if (files.length) {
      e.preventDefault();
      addFiles(files);
    }
  };

  const menuId = `composer-menu-${room.id}`;
  return (
    <div className={`composer${dragging ? ' dragging' : ''}`} onDragOver={(e: DragEvent) => e.preventDefault()}>
      {dragging && <div className="drop-hint">{t('chat.dropFiles')}</div>}
      {replyTo && (
        <div className="reply-banner">
          <span>
            {t('chat.replyingTo', { name: replyTo.senderName })}: <span className="muted">{replyTo.content.slice(0, 100)}</span>
          </span>
          <button type="button" className="btn btn-ghost btn-sm" aria-label={t('chat.cancelReply')} onClick={onCancelReply}>
            ✕
          </button>
        </div>
      )}
      {uploads.length > 0 && (
        <ul className="upload-list" aria-label={t('chat.attachments')}>
          {uploads.map((u) => (
            <li key={u.key} className={`upload upload-${u.status}`}>
              {u.previewUrl ? <img src={u.previewUrl} alt="" width={40} height={40} /> : <Icon name="file" />}
              <span className="upload-name">{u.file.name}</span>
              <span className="muted small">{formatSize(u.file.size)}</span>
              {u.status === 'uploading' && (
                <progress max={1} value={u.progress} aria-label={t('chat.uploading', { name: u.file.name })}>
                  {Math.round(u.progress * 100)}%
                </progress>
              )}
              {u.status === 'uploading' && u.attempt > 1 && <span className="muted small">{t('chat.retryAttempt', { n: u.attempt - 1 })}</span>}
              {u.status === 'failed' && (
                <>
                  <span className="field-error">{u.error}</span>
                  <button type="button" className="btn btn-ghost btn-sm" onClick={() => startUpload(u.key, u.file)}>
                    {t('common.retry')}
                  </button>
                </>
              )}
              <button type="button" className="btn btn-ghost btn-sm" aria-label={t('chat.removeAttachment', { name: u.file.name })} onClick={() => removeUpload(u.key)}>
                ✕
              </button>
            </li>
          ))}
        </ul>
      )}
      {menu && (
        <ul className="composer-menu" role="listbox" id={menuId} aria-label={menu.kind === 'slash' ? t('chat.commands') : t('chat.mentionAgent')}>
          {menu.options.map((o, i) => (
            <li key={o.value} id={`${menuId}-${i}`} role="option" aria-selected={i === menu.active} className={i === menu.active ? 'active' : undefined} onMouseDown={(e) => { e.preventDefault(); choose(o); }}>
              <span>{o.label}</span>
              {o.hint && <span className="muted small">{o.hint}</span>}
            </li>
          ))}
        </ul>
      )}
      <div className="composer-row">
        <button type="button" className="btn btn-ghost icon-btn" aria-label={t('chat.attachFiles')} title={t('chat.attachFiles')} onClick={() => fileRef.current?.click()}>
          <Icon name="attach" />
        </button>
        <input
          ref={fileRef}
          type="file"
          multiple
          hidden
          aria-label={t('chat.attachFiles')}
          accept={ALLOWED_TYPES.join(',') + ',.md,.csv,.txt,.json,.gz,.zip'}
          onChange={(e) => {
            addFiles([...(e.target.files ?? [])]);
            e.target.value = '';
          }}
        />
        <textarea
          ref={ref}
          className="composer-input"
          aria-label={t('chat.message')}
          placeholder={t('chat.messagePlaceholder', { room: room.name })}
          rows={1}
          value={text}
          onChange={onChange}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          onBlur={() => setTimeout(() => setMenu(null), 150)}
          aria-autocomplete="list"
          aria-controls={menu ? menuId : undefined}
          aria-activedescendant={menu ? `${menuId}-${menu.active}` : undefined}
          maxLength={100000}
        />
        <button type="button" className="btn btn-primary send-btn" onClick={submit} disabled={!text.trim() && !uploads.some((u) => u.status === 'done')}>
          {t('chat.send')}
        </button>
      </div>
      {confirmClear && (
        <ConfirmDialog
          title={t('chat.clearHistory')}
          message={t('chat.clearConfirm')}
          confirmLabel={t('chat.clearHistory')}
          danger
          onConfirm={async () => {
            try {
              const { clearedAt } = await clearRoom(room.id);
              dispatch({ type: 'cleared', roomId: room.id, clearedAt });
            } catch (e) {
              toast((e as Error).message, 'error');
            }
          }}
          onClose={() => setConfirmClear(false)}
        />
      )}
    </div>
  );
}
