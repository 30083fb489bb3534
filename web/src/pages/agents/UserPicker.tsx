// Choose users by searching (GET /api/users/search, at least 2 characters, debounced): a
// combobox with a listbox of matches (arrow keys + Enter) and the chosen users as removable chips.
import { useEffect, useId, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import { useT } from '../../i18n';
import { searchUsers, type UserSummary } from '../../api/agents';
import { errorText } from '../common/errors';
import { rememberUserLabel } from './userLabels';

export interface PickedUser {
  id: string;
  label: string;
}

export function UserPicker({ label, selected, onChange }: { label: string; selected: PickedUser[]; onChange: (next: PickedUser[]) => void }) {
  const t = useT();
  const id = useId();
  const [q, setQ] = useState('');
  const [results, setResults] = useState<UserSummary[]>([]);
  const [active, setActive] = useState(-1);
  const [error, setError] = useState<string | null>(null);
  const seq = useRef(0);

  useEffect(() => {
    const query = q.trim();
    if (query.length < 2) {
      setResults([]);
      return;
    }
    const n = ++seq.current;
    const timer = setTimeout(() => {
      searchUsers(query).then(
        (r) => {
          if (n !== seq.current) return;
          setResults(r.filter((u) => !selected.some((s) => s.id === u.id)));
          setActive(-1);
          setError(null);
        },
        (e) => n === seq.current && setError(errorText(e)),
      );
    }, 200);
    return () => clearTimeout(timer);
  }, [q, selected]);

  function pick(u: UserSummary) {
    const label = u.displayName && u.displayName !== u.username ? `${u.displayName} (@${u.username})` : `@${u.username}`;
    rememberUserLabel(u.id, label);
    onChange([...selected, { id: u.id, label }]);
    setQ('');
    setResults([]);
  }

  function onKey(e: ReactKeyboardEvent<HTMLInputElement>) {
    if (e.key === 'ArrowDown' && results.length) {
      e.preventDefault();
      setActive((a) => (a + 1) % results.length);
    } else if (e.key === 'ArrowUp' && results.length) {
      e.preventDefault();
      setActive((a) => (a <= 0 ? results.length - 1 : a - 1));
    } else if (e.key === 'Enter' && active >= 0 && results[active]) {
      e.preventDefault();
      pick(results[active]);
    }
  }

  // Esc closes the open list, not the dialog around it: a native listener on the input runs
  // before the dialog's own (React's handlers run later, at the root).
  const inputRef = useRef<HTMLInputElement>(null);
  const openRef = useRef(false);
  openRef.current = results.length > 0;
  useEffect(() => {
    const el = inputRef.current;
    if (!el) return;
    const onEsc = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && openRef.current) {
        e.stopPropagation();
        setResults([]);
      }
    };
    el.addEventListener('keydown', onEsc);
    return () => el.removeEventListener('keydown', onEsc);
  }, []);

  const listId = `${id}-list`;
  const open = results.length > 0;
  return (
    <div className="field">
      <label htmlFor={`${id}-input`}>{label}</label>
      {selected.length > 0 && (
        <ul className="pg-chips" aria-label={t('agents.chosenUsers')}>
          {selected.map((s) => (
            <li key={s.id}>
              <span>{s.label}</span>
              <button type="button" className="btn btn-ghost btn-sm" aria-label={t('agents.removeUser', { name: s.label })} onClick={() => onChange(selected.filter((x) => x.id !== s.id))}>
                ✕
              </button>
            </li>
          ))}
        </ul>
      )}
      <input
        ref={inputRef}
        id={`${id}-input`}
        type="search"
        role="combobox"
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={active >= 0 ? `${id}-opt-${active}` : undefined}
        aria-describedby={`${id}-hint`}
        autoComplete="off"
        value={q}
        onChange={(e) => setQ(e.target.value)}
        onKeyDown={onKey}
      />
      <div id={`${id}-hint`} className="field-hint">
        {q.trim().length > 0 && q.trim().length < 2 ? t('agents.searchMin') : t('agents.searchHint')}
      </div>
      <ul id={listId} role="listbox" aria-label={t('agents.searchResults')} className="pg-list" style={{ gap: 2, marginTop: 4 }} hidden={!open}>
        {results.map((u, i) => (
          <li
            key={u.id}
            id={`${id}-opt-${i}`}
            role="option"
            aria-selected={i === active}
            className="pg-card"
            style={{ padding: '6px 10px', cursor: 'pointer', outline: i === active ? '2px solid currentColor' : undefined }}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => pick(u)}
          >
            {u.displayName} <span className="pg-muted">@{u.username}</span>
          </li>
        ))}
      </ul>
      {q.trim().length >= 2 && !open && !error && <div className="pg-muted" aria-live="polite">{t('agents.noMatches')}</div>}
      {error && (
        <div className="pg-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
