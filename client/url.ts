/**
 * URL helpers shared by the Node and browser environments.
 * Go neffos prefixes `ws://` when no scheme is given; `http(s)` maps to `ws(s)`.
 */

/**
 * Normalises `url` to ws:// or wss:// (through the URL parser); relative URLs (`/echo`, `./x`, `?q`)
 * resolve against `base` (without one the URL parser throws).
 */
export function wsUrl(url: string, base?: string): string {
  return new URL(/^([a-z][a-z\d+.-]*:\/\/|[./?#])/i.test(url) ? url : 'ws://' + url, base).href.replace(/^http/, 'ws');
}

/**
 * Puts headers into the query as `X-Websocket-Header-<key>=<value>`, at the front
 * of the query string (before `#`), as neffos.js does; Go neffos copies them into headers.
 * @example
 * headerQuery('ws://h/echo?a=1', { 'X-Test': 'a b' }) // 'ws://h/echo?X-Websocket-Header-X-Test=a%20b&a=1'
 */
export function headerQuery(url: string, headers: Record<string, string>): string {
  const q = Object.keys(headers).map((k) => `X-Websocket-Header-${encodeURIComponent(k)}=${encodeURIComponent(headers[k])}`).join('&');
  // path, then the query without its `?`; the hash stays where it is
  return q ? url.replace(/^([^?#]*)\??([^#]*)/, (_, path: string, query: string) => `${path}?${q}${query && '&' + query}`) : url;
}
