// One config builds every output (STYLE.md example 9):
//   dist/esm/**.js + dist/cjs/**.cjs  — Node (protocol, client, server; dependencies external)
//   dist/browser/neffos.mjs (+ .min.mjs) — self-contained ESM for browsers and bundlers
//   dist/browser/neffos.js (+ .min.js)   — IIFE for a plain <script> tag, global `neffos`
//   dist/browser/legacy.mjs              — neffos-ts/legacy for browsers (the legacy Iris client, the codec)
// In browser builds a module `X.ts` is replaced by its sibling `X.browser.ts` when one exists,
// and isomorphic-ws resolves to the browser's native WebSocket.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import esbuild from 'rollup-plugin-esbuild';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import gzipOrder from './scripts/gzip-order.mjs';

const nodeEntries = Object.fromEntries(
  [
    ['protocol/index', 'protocol/index.ts'],
    ['client/index', 'client/index.ts'],
    ['server/index', 'server/index.ts'],
    ['server/redis', 'server/stackexchange/redis.ts'],
    ['server/nats', 'server/stackexchange/nats.ts'],
    ['legacy/index', 'legacy/index.ts'],
  ].filter(([, file]) => existsSync(file)),
);

/** Resolves `./x.js` imports written in TypeScript sources to `./x.ts` (NodeNext style specifiers). */
function tsSpecifiers({ browser }) {
  return {
    name: 'ts-specifiers',
    resolveId(source, importer) {
      // eventemitter3's "import" entry wraps its CommonJS file; browsers get its pure ESM build.
      if (browser && source === 'eventemitter3') return resolve('node_modules/eventemitter3/dist/eventemitter3.esm.js');
      if (!importer || !source.startsWith('.')) return null;
      let file = resolve(dirname(importer), source);
      if (file.endsWith('.js') && existsSync(file.slice(0, -3) + '.ts')) file = file.slice(0, -3) + '.ts';
      if (!file.endsWith('.ts')) return null;
      const browserFile = file.slice(0, -3) + '.browser.ts';
      return browser && existsSync(browserFile) ? browserFile : file;
    },
  };
}

const external = (id) =>
  id.startsWith('node:') || /^(ws|isomorphic-ws|eventemitter3|ioredis|@nats-io\/[a-z-]+)(\/|$)/.test(id) ||
  ['http', 'https', 'net', 'crypto', 'fs', 'path', 'url', 'events', 'stream', 'os', 'zlib', 'util'].includes(id);

// Browser builds keep native class fields (es2022): lowered fields become string-keyed helper calls that property mangling cannot follow.
const transpile = (target, extra = {}) => esbuild({ target, tsconfig: 'tsconfig.json', ...extra });

const browserPlugins = () => [
  tsSpecifiers({ browser: true }),
  nodeResolve({ browser: true, preferBuiltins: false }),
  transpile('es2022', { tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } } }),
];

// Properties named `_lowercase…` are internal (client and eventemitter3 internals): mangled in minified builds.
// Error classes keep their names: `err.name` (set from the class) must read 'TimeoutError', not a mangled letter.
const minify = () =>
  terser({
    ecma: 2020, module: true, keep_classnames: /^NeffosError$/,
    // "unsafe" rewrites are safe for this code: no function expression is used as a constructor, no getter has side effects.
    // Comma sequences and ASCII-only output: each measured smaller after gzip on the current code (sequences: -25 B, ascii_only: -4 B).
    compress: { passes: 3, unsafe: true, unsafe_arrows: true, unsafe_methods: true, unsafe_comps: true, pure_getters: true, sequences: true },
    mangle: { properties: { regex: /^_[a-z]/ } },
    format: { comments: false, ascii_only: true },
  });

const browserInput = existsSync('client/index.ts');
const legacyInput = existsSync('legacy/browser.ts');
const globalInput = existsSync('client/browser-global.ts');

export default [
  {
    input: nodeEntries,
    external,
    // Node >= 18 runs ES2022 natively: `#private` fields stay native (lowered to es2020 each one is a WeakMap, looked up twice per access).
    plugins: [tsSpecifiers({ browser: false }), transpile('es2022')],
    output: [
      { dir: 'dist/esm', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js', sourcemap: true },
      { dir: 'dist/cjs', format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs', sourcemap: true, exports: 'named' },
    ],
  },
  ...(browserInput
    ? [{
        input: 'client/index.ts',
        plugins: browserPlugins(),
        output: [
          { file: 'dist/browser/neffos.mjs', format: 'es', sourcemap: true },
          { file: 'dist/browser/neffos.min.mjs', format: 'es', plugins: [minify(), gzipOrder()] },
        ],
      }]
    : []),
  // neffos-ts/legacy in browsers: the legacy Iris client and codec (the server is Node-only).
  ...(legacyInput
    ? [{
        input: 'legacy/browser.ts',
        plugins: browserPlugins(),
        output: [{ file: 'dist/browser/legacy.mjs', format: 'es', sourcemap: true }],
      }]
    : []),
  ...(globalInput
    ? [{
        input: 'client/browser-global.ts',
        plugins: browserPlugins(),
        output: [
          { file: 'dist/browser/neffos.js', format: 'iife', name: 'neffosBundle', sourcemap: true },
          { file: 'dist/browser/neffos.min.js', format: 'iife', name: 'neffosBundle', freeze: false, plugins: [minify(), gzipOrder()] },
        ],
      }]
    : []),
];
