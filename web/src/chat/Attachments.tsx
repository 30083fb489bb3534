// Attachments of a message: image thumbnails (placeholder while loading; click opens the
// lightbox), audio/video players, other files as download links. Names render as text.
import { useState } from 'react';
import type { Attachment } from '../state/types';
import { withToken } from '../api/http';
import { useT } from '../i18n';
import { Icon } from '../components/Icon';

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function safeUpload(url: string): string | null {
  return url.startsWith('/uploads/') ? url : null;
}

function Thumb({ a, onOpen }: { a: Attachment; onOpen: () => void }) {
  const t = useT();
  const [loaded, setLoaded] = useState(false);
  const [failed, setFailed] = useState(false);
  const url = safeUpload(a.url);
  if (!url) return null;
  return (
    <button type="button" className={`thumb${loaded ? ' loaded' : ''}`} onClick={onOpen} aria-label={t('chat.openImage', { name: a.filename })}>
      {!loaded && !failed && <span className="thumb-placeholder" aria-hidden="true" />}
      {failed ? <span className="muted small">{a.filename}</span> : <img src={withToken(url)} alt={a.filename} loading="lazy" onLoad={() => setLoaded(true)} onError={() => setFailed(true)} />}
    </button>
  );
}

export function Attachments({ attachments, onImage }: { attachments: Attachment[]; onImage: (id: string) => void }) {
  const t = useT();
  return (
    <div className="attachments">
      {attachments.map((a) => {
        const url = safeUpload(a.url);
        if (a.mimeType.startsWith('image/') && a.mimeType !== 'image/svg+xml') return <Thumb key={a.id} a={a} onOpen={() => onImage(a.id)} />;
        if (url && a.mimeType.startsWith('audio/')) return <audio key={a.id} controls src={withToken(url)} aria-label={a.filename} />;
        if (url && a.mimeType.startsWith('video/')) return <video key={a.id} controls src={withToken(url)} aria-label={a.filename} className="video" />;
        return (
          <a key={a.id} className="file-chip" href={url ? withToken(url) : undefined} download={a.filename} rel="noopener noreferrer" aria-label={t('chat.downloadFile', { name: a.filename })}>
            <Icon name="file" />
            <span className="file-name">{a.filename}</span>
            <span className="muted small">{formatSize(a.size)}</span>
          </a>
        );
      })}
    </div>
  );
}
