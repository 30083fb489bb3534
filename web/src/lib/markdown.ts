// Markdown to HTML with marked (GitHub flavour), where nothing a sender writes can become
// live HTML: raw HTML is escaped, links keep only http(s)/mailto/relative targets, images only
// our uploads or https. The browser then passes the result through DOMPurify as well.
import { marked } from 'marked';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The URL when it is safe to follow, else null. Entities and control characters are decoded first. */
export function safeUrl(raw: string | null | undefined, kind: 'link' | 'image' = 'link'): string | null {
  if (!raw) return null;
  let url = raw.replace(/&#(x?)([0-9a-f]+);?/gi, (_, hex: string, n: string) => String.fromCharCode(parseInt(n, hex ? 16 : 10)));
  url = url.replace(/&(amp|colon|tab|newline);/gi, (_, e: string) => ({ amp: '&', colon: ':', tab: '\t', newline: '\n' } as Record<string, string>)[e.toLowerCase()]);
  // eslint-disable-next-line no-control-regex
  url = url.replace(/[\u0000-\u0020\u007f-\u009f]/g, '').trim();
  if (!url) return null;
  if (kind === 'image') {
    if (url.startsWith('/uploads/') || /^https:\/\//i.test(url)) return url;
    return null;
  }
  if (url.startsWith('/') && !url.startsWith('//')) return url;
  if (url.startsWith('#')) return url;
  if (/^(https?:|mailto:)/i.test(url)) return url;
  return null;
}

const renderer = new marked.Renderer();
renderer.html = (html: string) => escapeHtml(html);
renderer.link = (href, title, text) => {
  const url = safeUrl(href);
  if (!url) return text;
  const t = title ? ` title="${escapeHtml(title)}"` : '';
  const external = /^(https?:|mailto:)/i.test(url);
  return `<a href="${escapeHtml(url)}"${t}${external ? ' target="_blank" rel="noopener noreferrer nofollow"' : ''}>${text}</a>`;
};
renderer.image = (href, title, text) => {
  const url = safeUrl(href, 'image');
  if (!url) return escapeHtml(text || '');
  const t = title ? ` title="${escapeHtml(title)}"` : '';
  return `<img src="${escapeHtml(url)}" alt="${escapeHtml(text || '')}"${t} loading="lazy">`;
};
renderer.code = (code, lang) => {
  const language = (lang || '').trim().split(/\s+/)[0].replace(/[^\w+#.-]/g, '').slice(0, 30);
  const cls = language ? ` class="language-${escapeHtml(language)}"` : '';
  const label = language ? ` data-lang="${escapeHtml(language)}"` : '';
  return `<pre class="code-block"${label}><code${cls}>${escapeHtml(code)}</code></pre>\n`;
};

/** Markdown → HTML string, safe on its own (no raw HTML, filtered URLs). */
export function renderMarkdown(src: string): string {
  return marked.parse(src, { renderer, gfm: true, breaks: true, headerIds: false, mangle: false, async: false } as marked.MarkedOptions) as string;
}
