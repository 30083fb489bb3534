// Hostile message content must come out inert from the markdown layer (the browser adds
// DOMPurify on top; this layer alone already has to hold).
import test from 'node:test';
import assert from 'node:assert/strict';
import { renderMarkdown, safeUrl, escapeHtml } from '../../src/lib/markdown';

const hostile = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<svg onload=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '[click](javascript:alert(1))',
  '[click](JaVaScRiPt:alert(1))',
  '[click](java&#115;cript:alert(1))',
  '[click](  javascript:alert(1))',
  '[click](vbscript:msgbox(1))',
  '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '![x](javascript:alert(1))',
  '![x](http://tracker.example/p.png)',
  '<javascript:alert(1)>',
  '<div onclick="alert(1)">hi</div>',
  '<style>body{display:none}</style>',
  '```html\n<script>alert(1)</script>\n```',
  '`<img src=x onerror=alert(1)>`',
  '<details open ontoggle=alert(1)>',
];

for (const input of hostile) {
  test(`inert: ${JSON.stringify(input)}`, () => {
    const html = renderMarkdown(input);
    assert.doesNotMatch(html, /<(script|iframe|svg|style|div|details)\b/i, html);
    assert.doesNotMatch(html, /<img[^>]*\bonerror/i, html);
    assert.doesNotMatch(html, /<[a-z][^>]*\son\w+\s*=/i, html);
    assert.doesNotMatch(html, /href="\s*(javascript|vbscript|data):/i, html);
    assert.doesNotMatch(html, /src="\s*(javascript|data|http:)/i, html);
  });
}

test('ordinary markdown still renders: emphasis, lists, tables, code with a language label, safe links', () => {
  const html = renderMarkdown('**bold** _it_\n\n- a\n- b\n\n| h |\n|---|\n| c |\n\n```ts\nconst a = 1 < 2;\n```\n\n[site](https://example.com) and a < b');
  assert.match(html, /<strong>bold<\/strong>/);
  assert.match(html, /<li>a<\/li>/);
  assert.match(html, /<table>/);
  assert.match(html, /<pre class="code-block" data-lang="ts"><code class="language-ts">const a = 1 &lt; 2;/);
  assert.match(html, /<a href="https:\/\/example.com" target="_blank" rel="noopener noreferrer nofollow">site<\/a>/);
  assert.match(html, /a &lt; b/);
});

test('raw HTML is shown as text, not dropped', () => {
  assert.match(renderMarkdown('<b>x</b>'), /&lt;b&gt;x&lt;\/b&gt;/);
});

test('safeUrl keeps only http(s), mailto and same-origin paths', () => {
  assert.equal(safeUrl('https://a.b/c'), 'https://a.b/c');
  assert.equal(safeUrl('/room/1'), '/room/1');
  assert.equal(safeUrl('mailto:a@b.c'), 'mailto:a@b.c');
  assert.equal(safeUrl('//evil.example'), null);
  assert.equal(safeUrl('java\tscript:alert(1)'), null);
  assert.equal(safeUrl('&#106;avascript:alert(1)'), null);
  assert.equal(safeUrl('/uploads/x.png', 'image'), '/uploads/x.png');
  assert.equal(safeUrl('http://x/y.png', 'image'), null);
  assert.equal(escapeHtml(`<"'&>`), '&lt;&quot;&#39;&amp;&gt;');
});
