// Composer drafts per user and room (web-ui §5: kept in IndexedDB with the rest of the offline
// data). The logic is plain TypeScript over an injected key-value backend so `node --test`
// drives it; src/chat/drafts.ts wires it to IndexedDB and localStorage.
//
// - A memory copy answers at once (a room switch shows the draft without waiting for IndexedDB)
//   and is updated on every keystroke; the backend is written once typing pauses.
// - Drafts of the old client lived in localStorage (`agentim.draft.<roomId>`): they move once
//   into the backend for the signed-in user, and the old key goes only after the write succeeded.
// - clear() (sign-out) drops memory, pending writes, the backend's drafts and any old keys; work
//   begun before it writes nothing after it.

export const LEGACY_DRAFT_PREFIX = 'agentim.draft.';
export const DRAFT_KEY_PREFIX = 'draft:';
export const DRAFT_SAVE_DELAY_MS = 300;

export const draftKey = (userId: string, roomId: string) => `${DRAFT_KEY_PREFIX}${userId}:${roomId}`;

export interface DraftBackend {
  get(key: string): Promise<string | undefined>;
  /** true when the text is stored */
  put(key: string, text: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  keys(): Promise<string[]>;
}

/** The part of the Web Storage API the migration needs. */
export interface LegacyStorage {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
  removeItem(key: string): void;
}

/** The old client's draft keys in `storage`, as [storage key, room id]. */
export function legacyDrafts(storage: LegacyStorage): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < storage.length; i++) {
    const k = storage.key(i);
    if (k && k.startsWith(LEGACY_DRAFT_PREFIX) && k.length > LEGACY_DRAFT_PREFIX.length) out.push([k, k.slice(LEGACY_DRAFT_PREFIX.length)]);
  }
  return out;
}

export interface DraftStore {
  /** the draft if already known here (memory), else undefined: then call load() */
  peek(userId: string, roomId: string): string | undefined;
  load(userId: string, roomId: string): Promise<string>;
  /** records the text now, writes it (or deletes an empty one) once typing pauses */
  save(userId: string, roomId: string, text: string): void;
  /** writes every pending draft now (page hidden or closing) */
  flush(): Promise<void>;
  clear(): Promise<void>;
}

export function createDraftStore(backend: DraftBackend, legacy: () => LegacyStorage | null, delayMs = DRAFT_SAVE_DELAY_MS): DraftStore {
  const memory = new Map<string, string>();
  const pending = new Map<string, ReturnType<typeof setTimeout>>();
  const migrations = new Map<string, Promise<void>>();
  let generation = 0;

  const storage = () => {
    try {
      return legacy();
    } catch {
      return null; // storage disabled by the browser
    }
  };

  function migrate(userId: string): Promise<void> {
    let p = migrations.get(userId);
    if (!p) {
      const gen = generation;
      p = (async () => {
        const s = storage();
        if (!s) return;
        for (const [storageKey, roomId] of legacyDrafts(s)) {
          const text = s.getItem(storageKey) ?? '';
          const key = draftKey(userId, roomId);
          if (text) {
            const existing = await backend.get(key);
            if (gen !== generation) return;
            if (!existing && !(await backend.put(key, text))) continue; // keep the old copy
          }
          if (gen !== generation) return;
          s.removeItem(storageKey);
        }
      })().catch(() => undefined);
      migrations.set(userId, p);
    }
    return p;
  }

  async function write(key: string, text: string): Promise<void> {
    if (text) await backend.put(key, text);
    else await backend.delete(key);
  }

  return {
    peek(userId, roomId) {
      return memory.get(draftKey(userId, roomId));
    },

    async load(userId, roomId) {
      const key = draftKey(userId, roomId);
      const gen = generation;
      await migrate(userId);
      const known = memory.get(key);
      if (known !== undefined) return known;
      const stored = (await backend.get(key).catch(() => undefined)) ?? '';
      if (gen !== generation) return '';
      // Typing that happened meanwhile wins over what was stored.
      if (!memory.has(key)) memory.set(key, typeof stored === 'string' ? stored : '');
      return memory.get(key)!;
    },

    save(userId, roomId, text) {
      const key = draftKey(userId, roomId);
      if (memory.get(key) === text) return;
      memory.set(key, text);
      const old = pending.get(key);
      if (old) clearTimeout(old);
      pending.set(
        key,
        setTimeout(() => {
          pending.delete(key);
          void write(key, memory.get(key) ?? '').catch(() => undefined);
        }, delayMs),
      );
    },

    async flush() {
      const keys = [...pending.keys()];
      for (const k of keys) clearTimeout(pending.get(k)!);
      pending.clear();
      await Promise.all(keys.map((k) => write(k, memory.get(k) ?? '').catch(() => undefined)));
    },

    async clear() {
      generation++;
      for (const t of pending.values()) clearTimeout(t);
      pending.clear();
      memory.clear();
      migrations.clear();
      const s = storage();
      if (s) for (const [storageKey] of legacyDrafts(s)) s.removeItem(storageKey);
      const keys = await backend.keys().catch(() => [] as string[]);
      await Promise.all(keys.filter((k) => k.startsWith(DRAFT_KEY_PREFIX)).map((k) => backend.delete(k).catch(() => undefined)));
    },
  };
}
