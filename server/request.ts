/**
 * What a connection keeps of its HTTP upgrade request (`conn.request`, `getContext(conn)`): a small view made once at
 * accept, so the `IncomingMessage` (its raw header list, stream state and listeners) is not retained for the life of
 * every connection (docs/server.md "Conn").
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/**
 * The upgrade request of a connection (Iris's `websocket.GetContext`): `url`, `method`, `httpVersion`, `headers` (with
 * `X-Websocket-Header-*` query parameters applied; the request's own object) and `socket` (the request's socket, for
 * `remoteAddress` and the rest). `rawHeaders`, trailers and the stream API of the `IncomingMessage` are not kept.
 * @example
 * onConnect: (conn) => { if (!conn.request.headers.authorization) throw new Error('login first'); },
 */
export class UpgradeRequest {
  /** The request target, query included (`/echo?X-Websocket-Header-X-User=ann`). */
  readonly url: string;
  /** `GET` for every upgrade. */
  readonly method: string;
  /** `1.1` for every upgrade. */
  readonly httpVersion: string;
  /** The request headers, lower-case names (Node's `IncomingMessage.headers`, query headers applied). */
  readonly headers: IncomingHttpHeaders;
  /** The socket the upgrade ran on (`remoteAddress`, `remotePort`, `encrypted` on TLS): the request's own `socket`. */
  readonly socket: Socket;

  /** @internal made by `Server.accept` from the request it is given */
  constructor(request: IncomingMessage) {
    const url = request.url ?? '';
    // Most clients of an endpoint ask for the same url: an equal one reuses the last string seen.
    this.url = url === lastUrl ? lastUrl : (lastUrl = url);
    this.method = request.method ?? 'GET';
    // The parser makes a new '1.1' per request; the literal is shared.
    this.httpVersion = request.httpVersion === '1.1' ? '1.1' : (request.httpVersion ?? '1.1');
    this.headers = shareValues(request.headers ?? {});
    this.socket = request.socket;
  }

  /** The client's address (`socket.remoteAddress`), read when asked. */
  get remoteAddress(): string | undefined {
    return this.socket?.remoteAddress;
  }
}

/** The url of the last upgrade request (see the constructor). */
let lastUrl = '';

/**
 * Headers whose value is usually the same for every client (the upgrade's own, and what one browser sends): the last
 * value seen for each. The HTTP parser makes a new string per request; an equal value reuses the remembered one.
 */
const lastValue = new Map<string, string>(
  ['host', 'upgrade', 'connection', 'sec-websocket-version', 'sec-websocket-extensions', 'origin', 'user-agent',
    'accept-encoding', 'accept-language', 'cache-control', 'pragma'].map((name) => [name, '']),
);

/** Replaces values equal to the last one seen under the same name by that string (nothing observable changes). */
function shareValues(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  for (const name in headers) {
    const value = headers[name];
    const last = lastValue.get(name);
    if (last === undefined || typeof value !== 'string') continue;
    if (value === last) headers[name] = last;
    else lastValue.set(name, value);
  }
  return headers;
}
