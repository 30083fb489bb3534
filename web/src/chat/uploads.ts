// Attachment uploads with progress and up to 3 automatic retries for transient failures.
import { ApiError, uploadFileHandle } from '../api/http';
import type { UploadResult } from '../api/rooms';

export const ALLOWED_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'application/pdf', 'text/plain', 'text/markdown', 'text/csv', 'application/json', 'application/zip', 'application/x-zip-compressed', 'application/gzip'];

export interface PendingUpload {
  key: string;
  file: File;
  progress: number;
  status: 'uploading' | 'done' | 'failed';
  error?: string;
  result?: UploadResult;
  attempt: number;
  previewUrl?: string;
}

const byExtension: Record<string, string> = { md: 'text/markdown', markdown: 'text/markdown', csv: 'text/csv', json: 'application/json', txt: 'text/plain', log: 'text/plain', gz: 'application/gzip', zip: 'application/zip' };

/** The type the hub will check; browsers leave some empty or vague. */
export function fileType(file: File): string {
  const ext = file.name.split('.').pop()?.toLowerCase() ?? '';
  if (!file.type || file.type === 'application/octet-stream') return byExtension[ext] ?? file.type;
  return file.type;
}

export function uploadWithRetry(file: File, onProgress: (p: number) => void, onAttempt: (n: number) => void): Promise<UploadResult> {
  const type = fileType(file);
  const blob = type && type !== file.type ? new File([file], file.name, { type }) : file;
  return (async () => {
    let last: unknown;
    for (let attempt = 1; attempt <= 4; attempt++) {
      onAttempt(attempt);
      try {
        return await uploadFileHandle<UploadResult>('/upload', blob, onProgress, file.name).promise;
      } catch (e) {
        last = e;
        const status = e instanceof ApiError ? e.status : 0;
        const transient = status === 0 || status === 408 || status === 429 || status >= 500;
        if (!transient || attempt === 4) break;
        await new Promise((r) => setTimeout(r, 1000 * 2 ** (attempt - 1)));
      }
    }
    throw last;
  })();
}
