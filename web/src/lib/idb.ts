// A minimal promise wrapper over IndexedDB for the offline cache: rooms, recent messages per
// room, unsent messages, composer drafts (in `kv`). Every call degrades to a no-op where IndexedDB is missing.
const DB = 'agentim';
const VERSION = 1;
export type StoreName = 'kv' | 'messages' | 'unsent';

let dbPromise: Promise<IDBDatabase | null> | null = null;

function open(): Promise<IDBDatabase | null> {
  if (dbPromise) return dbPromise;
  dbPromise = new Promise((resolve) => {
    if (typeof indexedDB === 'undefined') return resolve(null);
    const req = indexedDB.open(DB, VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains('kv')) db.createObjectStore('kv');
      if (!db.objectStoreNames.contains('messages')) db.createObjectStore('messages');
      if (!db.objectStoreNames.contains('unsent')) db.createObjectStore('unsent', { keyPath: 'clientMessageId' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => resolve(null);
    req.onblocked = () => resolve(null);
  });
  return dbPromise;
}

function run<T>(store: StoreName, mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest): Promise<T | undefined> {
  return open().then(
    (db) =>
      new Promise<T | undefined>((resolve) => {
        if (!db) return resolve(undefined);
        try {
          const tx = db.transaction(store, mode);
          const req = fn(tx.objectStore(store));
          req.onsuccess = () => resolve(req.result as T);
          req.onerror = () => resolve(undefined);
        } catch {
          resolve(undefined);
        }
      }),
  );
}

export const idbGet = <T>(store: StoreName, key: string) => run<T>(store, 'readonly', (s) => s.get(key));
export const idbPut = (store: StoreName, value: unknown, key?: string) => run(store, 'readwrite', (s) => (key === undefined ? s.put(value) : s.put(value, key)));
export const idbDelete = (store: StoreName, key: string) => run(store, 'readwrite', (s) => s.delete(key));
export const idbAll = <T>(store: StoreName) => run<T[]>(store, 'readonly', (s) => s.getAll()).then((v) => v ?? []);
export const idbClear = (store: StoreName) => run(store, 'readwrite', (s) => s.clear());
export const idbKeys = (store: StoreName) => run<IDBValidKey[]>(store, 'readonly', (s) => s.getAllKeys()).then((v) => (v ?? []).filter((k): k is string => typeof k === 'string'));
