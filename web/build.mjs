// Builds the staff application into dist/: one hashed JavaScript bundle and stylesheet (so the
// binary can serve them as immutable) and an index.html naming them. The Rust build embeds
// dist/ (build.rs); run this before cargo.
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync, readFileSync, copyFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'assets'), { recursive: true });

const result = await build({
  entryPoints: [join(here, 'src', 'main.tsx')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome109', 'firefox115', 'safari15'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: join(dist, 'assets'),
  entryNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => basename(p));
const js = outputs.find((f) => f.endsWith('.js'));
const css = outputs.find((f) => f.endsWith('.css'));
const html = readFileSync(join(here, 'src', 'index.html'), 'utf8')
  .replace('%SCRIPT%', `/app/assets/${js}`)
  .replace('%STYLE%', css ? `<link rel="stylesheet" href="/app/assets/${css}">` : '');
writeFileSync(join(dist, 'index.html'), html);
copyFileSync(join(here, 'src', 'favicon.svg'), join(dist, 'assets', 'favicon.svg'));

// The interactive page of the API (/app/api-docs.html): Swagger UI's own built files from the
// npm package, and the page that points it at /api/v1/openapi.json.
const swagger = join(here, 'node_modules', 'swagger-ui-dist');
mkdirSync(join(dist, 'api-docs'), { recursive: true });
for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css']) {
  copyFileSync(join(swagger, file), join(dist, 'api-docs', file));
}
copyFileSync(join(here, 'src', 'api-docs.js'), join(dist, 'api-docs', 'init.js'));
copyFileSync(join(here, 'src', 'api-docs.html'), join(dist, 'api-docs.html'));

// The service worker keeps this build's files for opening the field form offline; its name is
// fixed (sw.js, never cached for good) and it learns the hashed names of this build.
const assets = [...outputs.map((f) => `/app/assets/${f}`), '/app/assets/favicon.svg'];
await build({
  entryPoints: [join(here, 'src', 'sw.ts')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome109', 'firefox115', 'safari15'],
  outfile: join(dist, 'sw.js'),
  define: { BUILD_ASSETS: JSON.stringify(assets), BUILD_TAG: JSON.stringify(js.replace(/^main-|\.js$/g, '')) },
  legalComments: 'none',
  logLevel: 'warning',
});

const gz = (f) => gzipSync(readFileSync(join(dist, 'assets', f)), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`built dist/: ${js} ${kb(gz(js))} gzip${css ? `, ${css} ${kb(gz(css))} gzip` : ''}`);
