// Renders message text as sanitised markdown once the markdown chunk has loaded (plain text
// until then); code blocks get highlighting (also lazy) and a copy button.
import { memo, useEffect, useRef, useState } from 'react';
import { t } from '../i18n';

type Renderer = (src: string, useCache?: boolean) => string;
let renderer: Renderer | null = null;
let loading: Promise<Renderer> | null = null;
function loadRenderer(): Promise<Renderer> {
  if (!loading) loading = import('./markdownView').then((m) => (renderer = m.markdownToSafeHtml));
  return loading;
}
let highlighter: Promise<typeof import('./highlight')> | null = null;

function enhance(root: HTMLElement) {
  const blocks = root.querySelectorAll<HTMLPreElement>('pre.code-block');
  if (!blocks.length) return;
  if (!highlighter) highlighter = import('./highlight');
  void highlighter.then(({ highlightCode }) => {
    blocks.forEach((pre) => {
      if (pre.dataset.done) return;
      pre.dataset.done = '1';
      const code = pre.querySelector('code');
      if (!code) return;
      const source = code.textContent ?? '';
      highlightCode(code, pre.dataset.lang);
      const bar = document.createElement('div');
      bar.className = 'code-bar';
      const label = document.createElement('span');
      label.textContent = pre.dataset.lang ?? '';
      const copy = document.createElement('button');
      copy.type = 'button';
      copy.className = 'btn btn-ghost btn-sm';
      copy.textContent = t('chat.copyCode');
      copy.setAttribute('aria-label', t('chat.copyCode'));
      copy.onclick = () => {
        void navigator.clipboard?.writeText(source).then(() => {
          copy.textContent = t('chat.copied');
          setTimeout(() => (copy.textContent = t('chat.copyCode')), 1500);
        });
      };
      bar.append(label, copy);
      pre.prepend(bar);
    });
  });
}

export const Markdown = memo(function Markdown({ text, className, live }: { text: string; className?: string; live?: boolean }) {
  const [, setReady] = useState(!!renderer);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!renderer) void loadRenderer().then(() => setReady(true));
  }, []);
  useEffect(() => {
    if (ref.current && renderer) enhance(ref.current);
  });
  if (!renderer) return <div className={`md plain ${className ?? ''}`}>{text}</div>;
  return <div ref={ref} className={`md ${className ?? ''}`} dangerouslySetInnerHTML={{ __html: renderer(text, !live) }} />;
});

/** Starts fetching the markdown chunk early (after the first paint). */
export function preloadMarkdown(): void {
  void loadRenderer();
}
