/**
 * The HTTP surface of the endpoint, as Go neffos `Server.Upgrade` (docs/protocol.md §6.4):
 * HEAD → 302, other non-GET → 405, `X-Websocket-Header-*` query parameters → headers,
 * an origin check, the bundled browser client, and the routing of upgrades by path.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import type { ServerOptions } from './types.js';

const HEADER_PARAM_PREFIX = 'x-websocket-header-';

/** The path part of a request URL. */
export function pathOf(url: string | undefined): string {
  if (!url) return '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/**
 * Copies `X-Websocket-Header-<Name>=<value>` query parameters into request headers (Go's
 * `tryParseURLParamsToHeaders`; matched case-insensitively), before the id is generated.
 */
export function applyQueryHeaders(req: IncomingMessage): void {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if (q < 0) return;
  const params = new URLSearchParams(url.slice(q + 1));
  for (const [key, value] of params) {
    if (key.length <= HEADER_PARAM_PREFIX.length || key.slice(0, HEADER_PARAM_PREFIX.length).toLowerCase() !== HEADER_PARAM_PREFIX) continue;
    const name = key.slice(HEADER_PARAM_PREFIX.length).toLowerCase();
    if (name === '' || !/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) continue;
    const prev = req.headers[name];
    req.headers[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : prev + ', ' + value;
  }
}

/** Applies the `allowedOrigins` option; true when the request may connect. */
export function originAllowed(req: IncomingMessage, allowed: ServerOptions['allowedOrigins']): boolean {
  const origin = req.headers.origin;
  if (allowed === '*') return true;
  if (typeof allowed === 'function') return allowed(origin ?? '', req);
  if (Array.isArray(allowed)) return origin === undefined || allowed.includes(origin);
  // same-origin, as gorilla's default upgrader: no Origin header (non-browser clients) passes.
  if (origin === undefined) return true;
  try {
    return new URL(origin).host.toLowerCase() === String(req.headers.host ?? '').toLowerCase();
  } catch {
    return false;
  }
}

/**
 * Answers a refused upgrade on the raw socket with a plain HTTP response, then destroys the socket
 * once the answer is written (an http server's sockets allow half-open: `end` alone would keep it).
 */
export function refuseUpgrade(socket: Duplex, status: number, text: string, extra = ''): void {
  if (!socket.writable) return void socket.destroy();
  const body = text + '\n';
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${statusText(status)}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      extra + `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n` + body,
  );
}

function statusText(status: number): string {
  switch (status) {
    case 400: return 'Bad Request';
    case 403: return 'Forbidden';
    case 404: return 'Not Found';
    case 405: return 'Method Not Allowed';
    default: return 'Internal Server Error';
  }
}

/** Handles one upgrade request (the arguments of the http server's `upgrade` event). */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

const upgradeRoutes = new WeakMap<EventEmitter, Map<string, UpgradeHandler>>();

/**
 * Routes the upgrade requests of `httpServer` for `path` to `handler` (`Server.attach`). Every Server
 * attached to one http server shares a single `upgrade` listener, so a request is looked up once: at a
 * path none of them claims, it gets `404 Not Found` and its socket is destroyed — unless the http server
 * has `upgrade` listeners that are not ours (a framework's, socket.io's, the application's), which then
 * own every unclaimed upgrade. Throws when `path` is already claimed on this http server.
 */
export function routeUpgrade(httpServer: EventEmitter, path: string, handler: UpgradeHandler): void {
  let routes = upgradeRoutes.get(httpServer);
  if (!routes) {
    const table = new Map<string, UpgradeHandler>();
    const dispatch: UpgradeHandler = (req, socket, head) => {
      const claimed = table.get(pathOf(req.url));
      if (claimed) return claimed(req, socket, head);
      if (httpServer.listeners('upgrade').some((l) => l !== dispatch)) return;
      socket.on('error', () => socket.destroy());
      refuseUpgrade(socket, 404, 'Not Found: no WebSocket endpoint at ' + pathOf(req.url));
    };
    httpServer.on('upgrade', dispatch);
    upgradeRoutes.set(httpServer, (routes = table));
  }
  if (routes.has(path)) throw new Error(`neffos: a Server is already attached at path ${JSON.stringify(path)} of this http server`);
  routes.set(path, handler);
}

/** The endpoint's answer to a plain HTTP request (not an upgrade), as Go neffos. */
export function answerPlainRequest(req: IncomingMessage, res: ServerResponse): void {
  if (req.method === 'HEAD') {
    // The neffos.js reconnect probe: any answer means "online".
    res.writeHead(302).end();
    return;
  }
  if (req.method !== 'GET') {
    res.writeHead(405, { Allow: 'GET', 'X-Content-Type-Options': 'nosniff', 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('Method Not Allowed\n');
    return;
  }
  res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end('Bad Request: this endpoint expects a WebSocket upgrade\n');
}

/** Finds `<package root>/dist/browser/neffos.min.js` by walking up to the package.json named `neffos-ts`. */
export function clientScriptFile(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'neffos-ts') {
          return join(dir, 'dist', 'browser', 'neffos.min.js');
        }
      } catch {
        /* keep walking */
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

const scriptCache = new Map<string, Buffer>();

/** Serves the bundled browser client (or `file`), or a 404 that says to run `npm run build`. */
export function serveClientScript(req: IncomingMessage, res: ServerResponse, logger: { warn(...a: unknown[]): void }, file = clientScriptFile()): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  let script = file ? scriptCache.get(file) : undefined;
  if (!script && file && existsSync(file)) {
    script = readFileSync(file);
    scriptCache.set(file, script);
  }
  if (!script) {
    const text = 'neffos-ts: the browser client is not built (' + (file ?? 'dist/browser/neffos.min.js') + ' is missing); run `npm run build`';
    logger.warn(text);
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(text + '\n');
    return;
  }
  res.writeHead(200, {
    'Content-Type': 'application/javascript; charset=utf-8',
    'Content-Length': script.length,
    'Cache-Control': 'public, max-age=3600',
  });
  res.end(req.method === 'HEAD' ? undefined : script);
}
