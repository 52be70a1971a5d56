// The package as users install it: `npm pack`, the tarball installed into an empty project outside the
// repository, and everything checked from there (test/package.test.ts checks the repository's own exports
// and the file list; this one checks what an install of the tarball gives).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { rollup } from 'rollup';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { CONSUMER_BUNDLER, CONSUMER_CTS, CONSUMER_DOM, CONSUMER_MTS, RUN_CJS, RUN_ESM, tsconfig } from './consumers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const built = existsSync(join(root, 'dist/esm/client/index.js')) && existsSync(join(root, 'dist/types/client/index.d.ts'));
const skip = !built && 'dist/ missing: run npm run build (npm test builds first)';

let tmp = '';
let app = '';
let installed = '';

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
const repoVersion = (name: string) => (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

before(() => {
  if (!built) return;
  tmp = mkdtempSync(join(tmpdir(), 'neffos-ts-tarball-'));
  app = join(tmp, 'app');
  mkdirSync(app);
  const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], root)) as Array<{ filename: string }>;
  const tarball = join(tmp, packed[0]!.filename);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  // The tarball's own dependencies (ws, eventemitter3, isomorphic-ws) come from the npm cache or the registry;
  // the server's declarations need Node's and ws's types, as in any TypeScript server project.
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--no-package-lock', tarball,
    `@types/node@${repoVersion('@types/node')}`, `@types/ws@${repoVersion('@types/ws')}`], app);
  installed = join(app, 'node_modules', 'neffos-ts');
});

after(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const subpaths = ['neffos-ts', 'neffos-ts/client', 'neffos-ts/protocol', 'neffos-ts/server', 'neffos-ts/server/redis', 'neffos-ts/server/nats', 'neffos-ts/legacy'];
const expected: Record<string, string[]> = {
  'neffos-ts': ['dial', 'Conn', 'NSConn', 'Room', 'reply', 'backoff', 'marshal', 'unmarshal', 'TimeoutError', 'BadNamespaceError', 'NeffosError'],
  'neffos-ts/protocol': ['encode', 'decode', 'escape', 'unescape', 'reply', 'parseAck', 'createMessage', 'isReply', 'OnNamespaceConnect', 'ClosedError'],
  'neffos-ts/server': ['Server', 'Conn', 'NSConn', 'Room', 'reply', 'getContext', 'BaseController', 'WsSocket', 'DEFAULTS', 'RemoteError', 'MemoryStackExchange'],
  // The adapters load without their optional peer dependency (ioredis, @nats-io/transport-node): it is imported on open().
  'neffos-ts/server/redis': ['RedisStackExchange'],
  'neffos-ts/server/nats': ['NatsStackExchange'],
  'neffos-ts/legacy': ['LegacyServer', 'LegacyConnection', 'LegacyClient', 'dialLegacy', 'encode', 'decode', 'All', 'Broadcast', 'NotMe', 'LegacyError', 'irisWsSource', 'LEGACY_DEFAULTS'],
};
expected['neffos-ts/client'] = expected['neffos-ts']!;

test('the tarball installs, and every subpath loads with import and with require, from the installed copy', { skip }, () => {
  writeFileSync(join(app, 'run.mjs'), RUN_ESM(subpaths));
  writeFileSync(join(app, 'run.cjs'), RUN_CJS(subpaths));
  const esm = JSON.parse(run(process.execPath, ['run.mjs'], app));
  const cjs = JSON.parse(run(process.execPath, ['run.cjs'], app));
  for (const [name, r] of [['import', esm], ['require', cjs]] as const) {
    for (const p of subpaths) {
      assert.ok(r.files[p].startsWith(installed + '/dist/'), `${name} ${p} resolved to ${r.files[p]}, not into the installed package`);
      for (const key of expected[p]!) assert.ok(r.keys[p].includes(key), `${name} ${p} lacks the export ${key}`);
    }
    assert.ok(r.files['neffos-ts/browser'].endsWith('/dist/browser/neffos.min.js'), r.files['neffos-ts/browser']);
    assert.equal(r.version, '0.1.0');
    // A real round trip: the installed server and client, with the dependencies the tarball declares.
    assert.equal(r.echo, `echo via ${name}`);
    assert.equal(r.encoded, ';default;;chat;0;0;hi');
  }
  for (const p of subpaths) assert.deepEqual(esm.keys[p], cjs.keys[p], `${p}: import and require give different exports`);
  assert.equal(esm.files['neffos-ts'].endsWith('.js') && cjs.files['neffos-ts'].endsWith('.cjs'), true);
});

test('a strict TypeScript consumer type-checks with moduleResolution node16 and bundler (no skipLibCheck)', { skip }, () => {
  writeFileSync(join(app, 'consumer.mts'), CONSUMER_MTS);
  writeFileSync(join(app, 'consumer.cts'), CONSUMER_CTS);
  writeFileSync(join(app, 'consumer-bundler.ts'), CONSUMER_BUNDLER);
  writeFileSync(join(app, 'consumer-dom.ts'), CONSUMER_DOM);
  writeFileSync(join(app, 'tsconfig.node16.json'), tsconfig({ module: 'node16', moduleResolution: 'node16', types: ['node'] }, ['consumer.mts', 'consumer.cts']));
  writeFileSync(join(app, 'tsconfig.bundler.json'), tsconfig({ module: 'esnext', moduleResolution: 'bundler', types: ['node'] }, ['consumer-bundler.ts']));
  // A browser project: the client's and the protocol's types need no @types/node (browser condition, DOM lib).
  writeFileSync(join(app, 'tsconfig.dom.json'), tsconfig({ module: 'esnext', moduleResolution: 'bundler', types: [], customConditions: ['browser'] }, ['consumer-dom.ts']));
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const project of ['tsconfig.node16.json', 'tsconfig.bundler.json', 'tsconfig.dom.json']) {
    const r = spawnSync(process.execPath, [tsc, '-p', project, '--noEmit'], { cwd: app, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, `tsc -p ${project}:\n${r.stdout}${r.stderr}`);
  }
});

test('a browser app bundled by rollup through the browser condition pulls in no Node built-ins', { skip }, async () => {
  writeFileSync(join(app, 'browser-entry.mjs'), [
    "import { dial, reply, TimeoutError } from 'neffos-ts';",
    "import { Room } from 'neffos-ts/client';",
    "import { encode, decode } from 'neffos-ts/protocol';",
    'window.app = { dial, reply, TimeoutError, Room, frame: decode(encode({ namespace: "n", event: "e", body: "b" })) };',
  ].join('\n'));
  const warnings: string[] = [];
  const bundle = await rollup({
    input: join(app, 'browser-entry.mjs'),
    plugins: [nodeResolve({ browser: true, exportConditions: ['browser'], preferBuiltins: false, rootDir: app })],
    onwarn: (w) => warnings.push(`${w.code}: ${w.message}`),
  });
  const { output } = await bundle.generate({ format: 'es' });
  await bundle.close();
  const chunk = output[0];
  assert.deepEqual(warnings, []);
  assert.deepEqual(chunk.imports, [], 'the bundle keeps imports (externals)');
  const modules = Object.keys(chunk.modules).map((m) => relative(app, m));
  assert.ok(modules.every((m) => m.startsWith('browser-entry') || m.startsWith('node_modules/neffos-ts/dist/')), modules.join('\n'));
  assert.ok(modules.includes('node_modules/neffos-ts/dist/browser/neffos.mjs'), modules.join('\n'));
  for (const re of [/\brequire\(/, /from\s*['"](ws|isomorphic-ws|events|http|https|net|stream|crypto|node:[a-z]+)['"]/, /\bBuffer\b/, /\bprocess\./]) {
    assert.doesNotMatch(chunk.code, re);
  }
  assert.ok(!modules.some((m) => /node_modules\/(ws|isomorphic-ws|eventemitter3)\//.test(m)), modules.join('\n'));
  // The Node-only server, imported in a browser build, is a module that says so.
  const server = await rollup({ input: 'neffos-ts/server', plugins: [nodeResolve({ browser: true, exportConditions: ['browser'], rootDir: app })] });
  const serverCode = (await server.generate({ format: 'es' })).output[0].code;
  await server.close();
  assert.match(serverCode, /neffos-ts\/server is Node-only/);
  // neffos-ts/legacy in a browser build: its client and codec, no Node built-ins.
  const legacyWarnings: string[] = [];
  const legacy = await rollup({ input: 'neffos-ts/legacy', onwarn: (w) => legacyWarnings.push(`${w.code}: ${w.message}`), plugins: [nodeResolve({ browser: true, exportConditions: ['browser'], preferBuiltins: false, rootDir: app })] });
  const legacyOut = (await legacy.generate({ format: 'es' })).output[0];
  await legacy.close();
  assert.deepEqual(legacyWarnings, []);
  assert.deepEqual(legacyOut.imports, []);
  assert.ok(legacyOut.exports.includes('dialLegacy') && !legacyOut.exports.includes('LegacyServer'), legacyOut.exports.join(','));
  for (const re of [/\brequire\(/, /from\s*['"](ws|isomorphic-ws|events|http|https|net|stream|crypto|node:[a-z]+)['"]/, /\bBuffer\b/, /\bprocess\./]) {
    assert.doesNotMatch(legacyOut.code, re);
  }
});

test('the <script> bundle defines the global neffos in a browser-like context', { skip }, () => {
  const file = join(installed, 'dist', 'browser', 'neffos.min.js');
  class FakeWebSocket { static readonly OPEN = 1; }
  const window: Record<string, unknown> = { WebSocket: FakeWebSocket, location: { href: 'http://app.example/' }, setTimeout, clearTimeout, TextEncoder, TextDecoder, URL };
  window.window = window;
  window.globalThis = window;
  window.self = window;
  runInNewContext(readFileSync(file, 'utf8'), window);
  const neffos = window.neffos as Record<string, unknown> | undefined;
  assert.ok(neffos, 'window.neffos is not defined');
  for (const key of expected['neffos-ts']!) assert.ok(key in neffos, `window.neffos lacks ${key}`);
  assert.equal(typeof neffos.dial, 'function');
});

/** Every `/** @internal … *\/ name` in the sources, with the class or interface it belongs to ('' when top-level). */
function internalNames(): Map<string, Array<{ owner: string; name: string }>> {
  const out = new Map<string, Array<{ owner: string; name: string }>>();
  for (const dir of ['protocol', 'client', 'server']) {
    for (const f of walk(join(root, dir))) {
      if (!f.endsWith('.ts') || f.endsWith('.test.ts') || f.endsWith('.browser.ts')) continue;
      const src = readFileSync(f, 'utf8');
      const owners = [...src.matchAll(/^(?:export )?(?:declare )?(?:abstract )?(?:class|interface) ([A-Za-z_$][\w$]*)/gm)];
      const found: Array<{ owner: string; name: string }> = [];
      for (const m of src.matchAll(/^([ \t]*)\/\*\*(?:(?!\*\/)[\s\S])*@internal(?:(?!\*\/)[\s\S])*\*\/\s*(?:(?:export|declare|readonly|private|protected|public|static|async|get|set|interface|class|function|const|type)\s+)*([A-Za-z_$][\w$]*)/gm)) {
        const owner = m[1] === '' ? '' : owners.filter((o) => o.index! < m.index!).at(-1)?.[1] ?? '';
        found.push({ owner, name: m[2]! });
      }
      if (found.length > 0) out.set(relative(root, f).replace(/\.ts$/, ''), found);
    }
  }
  return out;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
}

test('@internal members are not in the published declarations', { skip }, () => {
  const tagged = internalNames();
  assert.ok([...tagged.values()].flat().length >= 10, 'no @internal tag found in the sources: the check would be empty');
  const esc = (n: string) => n.replace(/\$/g, '\\$');
  for (const [mod, found] of tagged) {
    for (const ext of ['.d.ts', '.d.cts']) {
      const dts = readFileSync(join(installed, 'dist', 'types', mod + ext), 'utf8');
      assert.doesNotMatch(dts, /@internal/, `${mod}${ext} keeps an @internal comment`);
      const code = dts.replace(/\/\*[\s\S]*?\*\//g, '');
      for (const { owner, name } of found) {
        if (owner !== '' && found.some((f) => f.owner === '' && f.name === owner)) continue; // its class is stripped whole (checked below)
        if (owner === '') {
          assert.doesNotMatch(code, new RegExp(`(class|interface|function|const|type) ${esc(name)}\\b`), `${mod}${ext} declares the @internal ${name}`);
          continue;
        }
        if (name === 'constructor') continue; // a stripped constructor leaves the implicit one
        const body = new RegExp(`(class|interface) ${esc(owner)}\\b[^{]*\\{\\n([\\s\\S]*?)\\n\\}`).exec(code)?.[2];
        assert.ok(body !== undefined, `${mod}${ext} has no ${owner}`);
        const member = new RegExp(`^\\s+(readonly |static |get |set |async )*${esc(name)}\\??\\s*[:(<;]`, 'm');
        assert.doesNotMatch(body, member, `${mod}${ext}: ${owner} declares the @internal ${name}`);
      }
    }
  }
});

test('package.json description names only what the package has', { skip }, () => {
  const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { description: string };
  // Scale-out (server/stackexchange) may be named once the package ships it.
  if (!existsSync(join(installed, 'dist', 'esm', 'server', 'redis.js'))) assert.doesNotMatch(pkg.description, /scale-?out|redis|nats|cluster/i);
  for (const part of ['codec', 'client', 'server']) assert.match(pkg.description, new RegExp(part, 'i'));
});
