/**
 * The WebSocket URL of a dial. Go neffos prefixes `ws://` when no scheme is given; `http(s)` maps to `ws(s)`.
 */

/**
 * Normalises `url` to ws:// or wss:// (through the URL parser); relative URLs (`/echo`, `./x`, `?q`)
 * resolve against `base` (without one the URL parser throws). `headers` go into the query as
 * `X-Websocket-Header-<key>=<value>` at its front, as neffos.js does (browsers cannot send handshake
 * headers; Go neffos copies these parameters into the request's headers).
 * @example
 * wsUrl('http://h/echo?a=1', undefined, { 'X-Test': 'a b' }) // 'ws://h/echo?X-Websocket-Header-X-Test=a+b&a=1'
 */
export function wsUrl(url: string, base?: string, headers: Record<string, string> = {}): string {
  const u = new URL(/^([a-z][a-z\d+.-]*:\/\/|[./?#])/i.test(url) ? url : 'ws://' + url, base);
  // form encoding (a space is `+`), which Go's `URL.Query()` decodes like `%20`
  const q = '' + new URLSearchParams(Object.entries(headers).map(([k, v]) => ['X-Websocket-Header-' + k, v]));
  if (q) u.search = q + u.search.replace('?', '&');
  return u.href.replace(/^http/, 'ws');
}
