// The files of the consumer project that tarball.test.ts writes into its temporary folder.

/** A strict tsconfig for `files`, type-checking the installed declarations too (no skipLibCheck). */
export function tsconfig(options: Record<string, unknown>, files: string[]): string {
  return JSON.stringify({
    compilerOptions: {
      target: 'ES2022', lib: ['ES2022', 'DOM'], strict: true, noEmit: true, skipLibCheck: false,
      noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, noImplicitOverride: true, noImplicitReturns: true,
      isolatedModules: true, verbatimModuleSyntax: false, ...options,
    },
    files,
  }, null, 2);
}

// Loads every subpath, then runs a server and a client of the installed package; prints what it resolved and got.
// `load(p)` and `resolve(p)` are the module system's own (import / require).
const runBody = (subpaths: string[], via: string) => `
const subpaths = ${JSON.stringify(subpaths)};
const files = {}, keys = {}, mods = {};
for (const p of [...subpaths, 'neffos-ts/browser']) files[p] = resolve(p);
for (const p of subpaths) { mods[p] = await load(p); keys[p] = Object.keys(mods[p]).sort(); }
const { Server, reply } = mods['neffos-ts/server'];
const { dial } = mods['neffos-ts'];
const { encode } = mods['neffos-ts/protocol'];
const http = createServer();
const server = new Server({ default: { echo: (_ns, msg) => reply('echo ' + msg.body) } });
server.attach(http, { path: '/echo' });
await new Promise((r) => http.listen(0, '127.0.0.1', r));
const conn = await dial('ws://127.0.0.1:' + http.address().port + '/echo', { default: {} }, { reconnect: false });
const ns = await conn.connect('default');
const echo = (await ns.ask('echo', 'via ${via}')).body;
conn.close(); server.close(); http.closeAllConnections(); http.close();
const version = (await pkg()).version;
console.log(JSON.stringify({ files, keys, echo, version, encoded: encode({ namespace: 'default', event: 'chat', body: 'hi' }) }));
`;

export const RUN_ESM = (subpaths: string[]) => `import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
const load = (p) => import(p);
const resolve = (p) => fileURLToPath(import.meta.resolve(p));
const pkg = async () => JSON.parse(await readFile(resolve('neffos-ts/package.json'), 'utf8'));
${runBody(subpaths, 'import')}`;

export const RUN_CJS = (subpaths: string[]) => `const { createServer } = require('node:http');
const load = async (p) => require(p);
const resolve = (p) => require.resolve(p);
const pkg = async () => require('neffos-ts/package.json');
(async () => {
${runBody(subpaths, 'require')}
})().catch((e) => { console.error(e); process.exit(1); });
`;

// Shared by the node16 ESM and bundler consumers: the client, the server and the codec, with their types.
const consumerBody = `
type Chat = { default: { chat: string; echo: string } };

export async function client(url: string): Promise<string> {
  const conn: Conn<Chat> = await dial<Chat>(url, { default: { chat: (_ns, msg) => { void msg.body; } } }, { reconnect: { maxRetries: 3 }, requestTimeout: 500 });
  const ns = await conn.connect('default');
  ns.emit('chat', 'hi');
  // @ts-expect-error not an event of the namespace
  ns.emit('nope', 'hi');
  // @ts-expect-error @internal members are not published
  conn._fail();
  const answer: EventMessage = await ns.ask('echo', 'ping', { timeout: 1000 });
  try {
    await ns.joinRoom('lobby');
  } catch (e) {
    if (e instanceof TimeoutError && e.code === 'ERR_TIMEOUT') return 'timeout';
  }
  conn.on('state', (e) => { const s: ConnState = e.to; void s; });
  return typeof answer.body === 'string' ? answer.body : new TextDecoder().decode(answer.body);
}

export function server(): HttpServer {
  const namespaces: ServerNamespaces = { default: { echo: (_ns, msg) => reply(msg.body), _OnNamespaceConnect: () => undefined } };
  const options: ServerOptions = { allowedOrigins: '*', onConnect: (conn: ServerConn) => { conn.set('at', Date.now()); } };
  const s = new Server(namespaces, options);
  // @ts-expect-error a handler is a function
  new Server({ default: { echo: 5 } });
  // @ts-expect-error @internal members are not published
  void s.events;
  const http = createServer();
  s.attach(http, { path: '/echo' });
  s.broadcast(null, { namespace: 'default', event: 'chat', body: 'all' });
  return http;
}

export function codec(): Message {
  const frame: string | Uint8Array = encode({ namespace: 'default', room: 'r', event: 'chat', body: 'a;b' });
  const m: Message = decode(frame);
  // @ts-expect-error decode takes a frame
  decode(42);
  return m;
}
`;

export const CONSUMER_MTS = `import { createServer, type Server as HttpServer } from 'node:http';
import { dial, TimeoutError, type Conn, type ConnState, type EventMessage } from 'neffos-ts';
import { dial as dial2 } from 'neffos-ts/client';
import { encode, decode, type Message } from 'neffos-ts/protocol';
import { Server, reply, type Conn as ServerConn, type ServerNamespaces, type ServerOptions } from 'neffos-ts/server';
void dial2;
${consumerBody}`;

export const CONSUMER_BUNDLER = CONSUMER_MTS;

export const CONSUMER_CTS = `import { createServer } from 'node:http';
import { dial, BadNamespaceError } from 'neffos-ts';
import { encode } from 'neffos-ts/protocol';
import { Server, reply } from 'neffos-ts/server';
import type { EventMessage } from 'neffos-ts/client';

export async function run(): Promise<EventMessage | undefined> {
  const s = new Server({ default: { echo: (_ns, msg) => reply(msg.body) } });
  s.attach(createServer(), { path: '/' });
  const conn = await dial('ws://127.0.0.1:1/', { default: {} });
  try {
    return await (await conn.connect('default')).ask('echo', encode({ namespace: 'a', event: 'b' }));
  } catch (e) {
    if (e instanceof BadNamespaceError) return undefined;
    throw e;
  }
}
`;

// A browser project: DOM lib, no @types/node, the browser condition.
export const CONSUMER_DOM = `import { dial, reply, type Conn } from 'neffos-ts';
import { decode } from 'neffos-ts/protocol';

export async function start(): Promise<Conn> {
  const conn = await dial('/echo', { default: { question: () => reply('fine'), chat: (_ns, msg) => { document.title = String(msg.body); } } });
  conn.on('closed', (e) => { if (e.reason === 'giveUp') location.reload(); });
  void decode('$1;default;;chat;0;0;hi').event;
  return conn;
}
`;
