// Full-size images: zoom (buttons, wheel, double-click), pan by dragging, previous/next;
// Esc closes, ←/→ move; focus stays inside while open.
import { useEffect, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { withToken } from '../api/http';
import { useT } from '../i18n';

export interface LightboxImage {
  id: string;
  url: string;
  name: string;
}

export function Lightbox({ images, index: start, onClose }: { images: LightboxImage[]; index: number; onClose: () => void }) {
  const t = useT();
  const [index, setIndex] = useState(start);
  const [zoom, setZoom] = useState(1);
  const [pan, setPan] = useState({ x: 0, y: 0 });
  const drag = useRef<{ x: number; y: number } | null>(null);
  const ref = useRef<HTMLDivElement>(null);
  const img = images[index];
  const go = (d: number) => {
    setIndex((i) => (i + d + images.length) % images.length);
    setZoom(1);
    setPan({ x: 0, y: 0 });
  };

  useEffect(() => {
    const prev = document.activeElement as HTMLElement | null;
    ref.current?.focus();
    return () => prev?.focus?.();
  }, []);

  const onKey = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      onClose();
    } else if (e.key === 'ArrowRight') go(1);
    else if (e.key === 'ArrowLeft') go(-1);
    else if (e.key === '+' || e.key === '=') setZoom((z) => Math.min(5, z * 1.25));
    else if (e.key === '-') setZoom((z) => Math.max(0.5, z / 1.25));
    else if (e.key === 'Tab') {
      const items = [...ref.current!.querySelectorAll<HTMLElement>('button')];
      const i = items.indexOf(document.activeElement as HTMLElement);
      if (e.shiftKey && i <= 0) {
        e.preventDefault();
        items[items.length - 1].focus();
      } else if (!e.shiftKey && i === items.length - 1) {
        e.preventDefault();
        items[0].focus();
      }
    }
  };
  if (!img) return null;
  return createPortal(
    <div className="lightbox" role="dialog" aria-modal="true" aria-label={t('chat.imageViewer', { name: img.name })} tabIndex={-1} ref={ref} onKeyDown={onKey}>
      <div className="lightbox-bar">
        <span className="lightbox-name">
          {img.name} · {index + 1}/{images.length}
        </span>
        <button type="button" className="btn btn-ghost" aria-label={t('chat.zoomOut')} onClick={() => setZoom((z) => Math.max(0.5, z / 1.25))}>
          −
        </button>
        <button type="button" className="btn btn-ghost" aria-label={t('chat.zoomIn')} onClick={() => setZoom((z) => Math.min(5, z * 1.25))}>
          +
        </button>
        <button type="button" className="btn btn-ghost" aria-label={t('chat.resetZoom')} onClick={() => { setZoom(1); setPan({ x: 0, y: 0 }); }}>
          1:1
        </button>
        <a className="btn btn-ghost" href={withToken(img.url)} download={img.name} aria-label={t('chat.downloadFile', { name: img.name })}>
          ⬇
        </a>
        <button type="button" className="btn btn-ghost" aria-label={t('common.close')} onClick={onClose}>
          ✕
        </button>
      </div>
      <div
        className="lightbox-stage"
        onMouseDown={(e) => (drag.current = { x: e.clientX - pan.x, y: e.clientY - pan.y })}
        onMouseMove={(e) => drag.current && zoom > 1 && setPan({ x: e.clientX - drag.current.x, y: e.clientY - drag.current.y })}
        onMouseUp={() => (drag.current = null)}
        onMouseLeave={() => (drag.current = null)}
        onWheel={(e) => setZoom((z) => Math.min(5, Math.max(0.5, z * (e.deltaY < 0 ? 1.1 : 0.9))))}
        onClick={(e) => e.target === e.currentTarget && onClose()}
      >
        <img src={withToken(img.url)} alt={img.name} draggable={false} onDoubleClick={() => setZoom((z) => (z > 1 ? 1 : 2))} style={{ transform: `translate(${pan.x}px, ${pan.y}px) scale(${zoom})` }} />
      </div>
      {images.length > 1 && (
        <>
          <button type="button" className="lightbox-nav prev" aria-label={t('chat.previousImage')} onClick={() => go(-1)}>
            ‹
          </button>
          <button type="button" className="lightbox-nav next" aria-label={t('chat.nextImage')} onClick={() => go(1)}>
            ›
          </button>
        </>
      )}
    </div>,
    document.body,
  );
}
