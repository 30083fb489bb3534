// Loaded lazily: markdown rendering plus DOMPurify, with a small cache of rendered messages.
import DOMPurify from 'dompurify';
import { renderMarkdown } from '../lib/markdown';

const ALLOWED_TAGS = ['a', 'b', 'blockquote', 'br', 'code', 'del', 'em', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'img', 'input', 'li', 'ol', 'p', 'pre', 'span', 'strong', 'table', 'tbody', 'td', 'th', 'thead', 'tr', 'ul', 's', 'sup', 'sub'];
const ALLOWED_ATTR = ['href', 'title', 'target', 'rel', 'src', 'alt', 'loading', 'class', 'data-lang', 'type', 'checked', 'disabled', 'align', 'start'];

DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    const href = node.getAttribute('href') ?? '';
    if (/^(https?:|mailto:)/i.test(href)) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer nofollow');
    }
  }
  if (node.tagName === 'INPUT' && node.getAttribute('type') !== 'checkbox') node.remove();
});

const cache = new Map<string, string>();

export function markdownToSafeHtml(src: string, useCache = true): string {
  const hit = useCache ? cache.get(src) : undefined;
  if (hit !== undefined) return hit;
  const html = DOMPurify.sanitize(renderMarkdown(src), {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOWED_URI_REGEXP: /^(?:(?:https?|mailto):|\/(?!\/)|#)/i,
  }) as string;
  if (!useCache) return html;
  if (cache.size > 2000) cache.delete(cache.keys().next().value as string);
  cache.set(src, html);
  return html;
}
