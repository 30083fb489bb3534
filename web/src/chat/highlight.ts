// Loaded lazily: highlight.js core with the languages people paste most.
// @ts-ignore -- CommonJS module without its own typings path
import hljs from 'highlight.js/lib/highlight';
// @ts-ignore
import javascript from 'highlight.js/lib/languages/javascript';
// @ts-ignore
import typescript from 'highlight.js/lib/languages/typescript';
// @ts-ignore
import python from 'highlight.js/lib/languages/python';
// @ts-ignore
import bash from 'highlight.js/lib/languages/bash';
// @ts-ignore
import shell from 'highlight.js/lib/languages/shell';
// @ts-ignore
import json from 'highlight.js/lib/languages/json';
// @ts-ignore
import go from 'highlight.js/lib/languages/go';
// @ts-ignore
import rust from 'highlight.js/lib/languages/rust';
// @ts-ignore
import swift from 'highlight.js/lib/languages/swift';
// @ts-ignore
import java from 'highlight.js/lib/languages/java';
// @ts-ignore
import cpp from 'highlight.js/lib/languages/cpp';
// @ts-ignore
import diff from 'highlight.js/lib/languages/diff';
// @ts-ignore
import yaml from 'highlight.js/lib/languages/yaml';
// @ts-ignore
import sql from 'highlight.js/lib/languages/sql';
// @ts-ignore
import xml from 'highlight.js/lib/languages/xml';
// @ts-ignore
import css from 'highlight.js/lib/languages/css';
// @ts-ignore
import markdown from 'highlight.js/lib/languages/markdown';
// @ts-ignore
import dockerfile from 'highlight.js/lib/languages/dockerfile';

const langs: Record<string, unknown> = { javascript, typescript, python, bash, shell, json, go, rust, swift, java, cpp, diff, yaml, sql, xml, css, markdown, dockerfile };
for (const [name, def] of Object.entries(langs)) hljs.registerLanguage(name, def);

const aliases: Record<string, string> = { js: 'javascript', jsx: 'javascript', ts: 'typescript', tsx: 'typescript', py: 'python', sh: 'bash', zsh: 'bash', console: 'shell', yml: 'yaml', html: 'xml', c: 'cpp', 'c++': 'cpp', md: 'markdown', docker: 'dockerfile' };

/** Highlights one <code> element in place (text only in, escaped spans out). */
export function highlightCode(el: HTMLElement, lang: string | undefined): void {
  const name = lang ? aliases[lang.toLowerCase()] ?? lang.toLowerCase() : undefined;
  const text = el.textContent ?? '';
  if (text.length > 100_000) return;
  try {
    const result = name && hljs.getLanguage(name) ? hljs.highlight(name, text, true) : hljs.highlightAuto(text, Object.keys(langs));
    el.innerHTML = result.value; // highlight.js escapes the text it wraps
    el.classList.add('hljs');
  } catch {
    /* leave it plain */
  }
}
