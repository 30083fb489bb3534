// Bundles web/src into web/dist: hashed ESM chunks (split so markdown, highlighting and the
// non-chat pages load lazily), one CSS file, index.html, the service worker, manifest, icons.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { makeIcon } from './icon.mjs';

const require = createRequire(import.meta.url);
if (!process.env.ESBUILD_BINARY_PATH && fs.existsSync('/usr/bin/esbuild')) process.env.ESBUILD_BINARY_PATH = '/usr/bin/esbuild';
// Debian puts esbuild's JS API under /usr/lib/<triplet>/nodejs; fall back to a normal lookup.
const esbuild = (() => {
  const dirs = fs.existsSync('/usr/lib') ? fs.readdirSync('/usr/lib').map((d) => `/usr/lib/${d}/nodejs/esbuild`) : [];
  const found = dirs.find((d) => fs.existsSync(`${d}/package.json`));
  return require(found ?? 'esbuild');
})();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const nodePaths = ['/usr/share/nodejs'];

fs.rmSync(dist, { recursive: true, force: true });
fs.mkdirSync(path.join(dist, 'assets'), { recursive: true });

process.chdir(root);
const result = await esbuild.build({
  entryPoints: { app: path.join(root, 'src/main.tsx') },
  bundle: true,
  splitting: true,
  format: 'esm',
  outdir: path.join(dist, 'assets'),
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
  assetNames: '[name]-[hash]',
  minify: true,
  sourcemap: false,
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  jsx: 'automatic',
  nodePaths,
  mainFields: ['module', 'main'],
  define: { 'process.env.NODE_ENV': '"production"' },
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

const outputs = result.metafile.outputs;
const rel = (p) => path.relative(dist, path.resolve(root, p)).split(path.sep).join('/');
const entryJs = Object.keys(outputs).find((k) => outputs[k].entryPoint === 'src/main.tsx' && k.endsWith('.js'));
const entryCss = outputs[entryJs].cssBundle ?? Object.keys(outputs).find((k) => /\/app-[^/]+\.css$/.test(k));
// Static imports of the entry = what the first load fetches.
const firstLoad = new Set();
const walk = (k) => {
  if (firstLoad.has(k)) return;
  firstLoad.add(k);
  for (const imp of outputs[k].imports) if (imp.kind === 'import-statement') walk(imp.path);
};
walk(entryJs);

const version = crypto.createHash('sha256').update(Object.keys(outputs).sort().join('\n')).digest('hex').slice(0, 12);
const preloads = [...firstLoad].filter((k) => k !== entryJs).map((k) => `<link rel="modulepreload" href="/${rel(k)}">`).join('\n    ');
let html = fs.readFileSync(path.join(root, 'index.html'), 'utf8');
html = html
  .replace('<!--CSS-->', entryCss ? `<link rel="stylesheet" href="/${rel(entryCss)}">` : '')
  .replace('<!--JS-->', `<script type="module" src="/${rel(entryJs)}"></script>\n    ${preloads}`);
fs.writeFileSync(path.join(dist, 'index.html'), html);

// Public files (manifest, offline page) and generated icons.
for (const f of fs.readdirSync(path.join(root, 'public'))) fs.copyFileSync(path.join(root, 'public', f), path.join(dist, f));
for (const size of [192, 512]) fs.writeFileSync(path.join(dist, `icon-${size}.png`), makeIcon(size));
fs.writeFileSync(path.join(dist, 'apple-touch-icon.png'), makeIcon(180));

// Service worker: not hashed (its URL must stay), told what to precache and its version.
const shell = ['/', '/index.html', '/manifest.webmanifest', '/offline.html', '/theme-init.js', '/icon-192.png', ...[...firstLoad].map((k) => '/' + rel(k))];
if (entryCss) shell.push('/' + rel(entryCss));
await esbuild.build({
  entryPoints: [path.join(root, 'src/sw/sw.ts')],
  bundle: true,
  format: 'iife',
  outfile: path.join(dist, 'sw.js'),
  minify: true,
  target: ['es2020'],
  define: { __SW_VERSION__: JSON.stringify(version), __SW_PRECACHE__: JSON.stringify(shell) },
  logLevel: 'warning',
});

// Pre-compressed siblings: the edge sends file.br / file.gz when the browser accepts them.
const walkDir = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walkDir(path.join(dir, e.name)) : [path.join(dir, e.name)]));
for (const file of walkDir(dist)) {
  if (!/\.(js|css|html|webmanifest|json|svg)$/.test(file)) continue;
  const data = fs.readFileSync(file);
  if (data.length < 1024) continue;
  fs.writeFileSync(file + '.gz', zlib.gzipSync(data, { level: 9 }));
  fs.writeFileSync(file + '.br', zlib.brotliCompressSync(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }));
}

// Report first-load size (gzipped), as the issue asks.
let js = 0, css = 0;
for (const k of firstLoad) js += zlib.gzipSync(fs.readFileSync(path.resolve(root, k))).length;
if (entryCss) css = zlib.gzipSync(fs.readFileSync(path.resolve(root, entryCss))).length;
let allJs = 0;
for (const k of Object.keys(outputs)) if (k.endsWith('.js')) allJs += zlib.gzipSync(fs.readFileSync(path.resolve(root, k))).length;
const summary = { version, firstLoadJsGzip: js, firstLoadCssGzip: css, allJsGzip: allJs, chunks: Object.keys(outputs).length };
fs.writeFileSync(path.join(dist, 'build-info.json'), JSON.stringify(summary, null, 2));
console.log(`web/dist built: first load ${(js / 1024).toFixed(1)} KiB JS + ${(css / 1024).toFixed(1)} KiB CSS gzipped; all JS ${(allJs / 1024).toFixed(1)} KiB gzipped in ${summary.chunks} files`);
if (process.env.BUILD_DEBUG) console.log(JSON.stringify(Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { imports: v.imports, entry: v.entryPoint, css: v.cssBundle, bytes: v.bytes }])), null, 1));
