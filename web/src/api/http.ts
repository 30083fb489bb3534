// The one HTTP client: JSON envelopes under /api, bearer access token kept in memory,
// one silent refresh (refresh cookie) when a 401 rejects the token, then the request is
// repeated once.

export class ApiError extends Error {
  status: number;
  fields?: { field: string; message: string }[];
  constructor(status: number, message: string, fields?: { field: string; message: string }[]) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.fields = fields;
  }
}

export interface Envelope<T> {
  ok: boolean;
  data?: T;
  error?: string;
  fields?: { field: string; message: string }[];
  total?: number;
  pagination?: unknown;
  nextCursor?: string | null;
  [extra: string]: unknown;
}

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

let accessToken: string | null = null;
let refreshing: Promise<string | null> | null = null;
const tokenListeners = new Set<(token: string | null) => void>();
let unauthorizedHandler: (() => void) | null = null;

export function getAccessToken(): string | null {
  return accessToken;
}
export function setAccessToken(token: string | null): void {
  accessToken = token;
  for (const l of tokenListeners) l(token);
}
export function onAccessToken(listener: (token: string | null) => void): () => void {
  tokenListeners.add(listener);
  return () => tokenListeners.delete(listener);
}
/** Called when a refresh fails for good (the session is over). */
export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler;
}

/** Trades the refresh cookie for a new access token; concurrent callers share one request. */
export function refreshAccessToken(): Promise<string | null> {
  if (!refreshing) {
    refreshing = (async () => {
      try {
        const res = await fetch('/api/auth/refresh', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json' },
          body: '{}',
        });
        const env = (await res.json().catch(() => ({ ok: false }))) as Envelope<{ accessToken: string }>;
        if (res.ok && env.ok && env.data?.accessToken) {
          setAccessToken(env.data.accessToken);
          return env.data.accessToken;
        }
        if (res.status === 401 || res.status === 403) setAccessToken(null);
        return null;
      } catch {
        return null; // network failure: keep the old token, the caller decides
      } finally {
        setTimeout(() => (refreshing = null), 0);
      }
    })();
  }
  return refreshing;
}

async function send(method: Method, path: string, body: unknown, token: string | null): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload: BodyInit | undefined;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  return fetch('/api' + path, { method, headers, body: payload, credentials: 'same-origin' });
}

async function parse<T>(res: Response): Promise<Envelope<T>> {
  const text = await res.text();
  try {
    return JSON.parse(text) as Envelope<T>;
  } catch {
    return { ok: false, error: text.trim() || res.statusText || `HTTP ${res.status}` };
  }
}

const retryable = new Set([408, 429, 500, 502, 503]);

/** The hub's 401 texts that mean "this access token is no good" (http-api §1.3; the uploads
 *  and metrics routes say "Token has been revoked"). Other 401s are about the request itself. */
const TOKEN_REJECTIONS = new Set(['Unauthorized', 'Invalid or expired token', 'Token revoked', 'Token has been revoked', 'Invalid token type']);

export function isTokenRejection(error: unknown): boolean {
  return typeof error === 'string' && TOKEN_REJECTIONS.has(error.trim());
}

/** The whole envelope (for `total`, `pagination`, `nextCursor`). Throws ApiError on failure. */
export async function apiEnvelope<T>(method: Method, path: string, body?: unknown): Promise<Envelope<T>> {
  let res: Response;
  let attempt = 0;
  for (;;) {
    try {
      res = await send(method, path, body, accessToken);
    } catch (e) {
      throw new ApiError(0, e instanceof Error ? e.message : 'Network error');
    }
    // Only a rejected token is worth a refresh: any other 401 (a wrong current password, a
    // wrong TOTP code) would just be sent twice. The credential endpoints never refresh.
    if (res.status === 401 && !/^\/auth\/(login|refresh|verify-totp)\b/.test(path)) {
      const env = await parse<unknown>(res.clone());
      if (isTokenRejection(env.error)) {
        const token = await refreshAccessToken();
        if (token) res = await send(method, path, body, token);
        else unauthorizedHandler?.();
      }
    }
    if (method === 'GET' && retryable.has(res.status) && attempt < 2) {
      await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
      attempt++;
      continue;
    }
    break;
  }
  const env = await parse<T>(res);
  if (!res.ok || env.ok === false) {
    throw new ApiError(res.status, env.error || res.statusText || `HTTP ${res.status}`, env.fields);
  }
  return env;
}

/** `data` of the envelope. */
export async function api<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const env = await apiEnvelope<T>(method, path, body);
  return env.data as T;
}

export interface UploadHandle<T> {
  promise: Promise<T>;
  abort: () => void;
}

/** Multipart upload of one file (field `file`) with progress, through XMLHttpRequest. */
export function uploadFile<T>(path: string, file: File | Blob, onProgress?: (fraction: number) => void, fileName?: string): Promise<T> {
  return uploadFileHandle<T>(path, file, onProgress, fileName).promise;
}

export function uploadFileHandle<T>(path: string, file: File | Blob, onProgress?: (fraction: number) => void, fileName?: string): UploadHandle<T> {
  let xhr: XMLHttpRequest | null = null;
  const attempt = (token: string | null) =>
    new Promise<{ status: number; env: Envelope<T> }>((resolve, reject) => {
      xhr = new XMLHttpRequest();
      xhr.open('POST', '/api' + path);
      if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total);
      };
      xhr.onload = () => {
        let env: Envelope<T>;
        try {
          env = JSON.parse(xhr!.responseText) as Envelope<T>;
        } catch {
          env = { ok: false, error: xhr!.responseText || `HTTP ${xhr!.status}` };
        }
        resolve({ status: xhr!.status, env });
      };
      xhr.onerror = () => reject(new ApiError(0, 'Network error'));
      xhr.onabort = () => reject(new ApiError(0, 'Upload cancelled'));
      const form = new FormData();
      form.append('file', file, fileName ?? (file instanceof File ? file.name : 'file'));
      xhr.send(form);
    });
  const promise = (async () => {
    let r = await attempt(accessToken);
    if (r.status === 401 && isTokenRejection(r.env.error)) {
      const token = await refreshAccessToken();
      if (token) r = await attempt(token);
    }
    if (r.status < 200 || r.status >= 300 || !r.env.ok) throw new ApiError(r.status, r.env.error || `HTTP ${r.status}`, r.env.fields);
    onProgress?.(1);
    return r.env.data as T;
  })();
  return { promise, abort: () => xhr?.abort() };
}

/** Adds `?token=` to an /uploads URL so <img> and links can fetch it. */
export function withToken(url: string): string {
  if (!accessToken || !url.startsWith('/uploads')) return url;
  return url + (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(accessToken);
}
