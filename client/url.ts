/**
 * URL helpers shared by the Node and browser environments.
 * Go neffos prefixes `ws://` when no scheme is given; `http(s)` maps to `ws(s)`.
 */

/** Normalises `url` to ws:// or wss://; relative URLs (`/echo`, `./x`, `?q`) resolve against `base`. */
export function wsUrl(url: string, base?: string): string {
  if (/^[./?#]/.test(url)) {
    if (!base) throw new TypeError(`neffos: relative URL "${url}" has no base outside a browser: pass an absolute ws:// or wss:// URL`);
    url = new URL(url, base).href;
  } else if (!/^[a-z][a-z\d+.-]*:\/\//i.test(url)) url = 'ws://' + url;
  return url.replace(/^http(s?):/i, 'ws$1:');
}

/**
 * Puts headers into the query as `X-Websocket-Header-<key>=<value>`, at the front
 * of the query string (before `#`), as neffos.js does; Go neffos copies them into headers.
 * @example
 * headerQuery('ws://h/echo?a=1', { 'X-Test': 'a b' }) // 'ws://h/echo?X-Websocket-Header-X-Test=a%20b&a=1'
 */
export function headerQuery(url: string, headers: Record<string, string>): string {
  const q = Object.keys(headers).map((k) => 'X-Websocket-Header-' + encodeURIComponent(k) + '=' + encodeURIComponent(headers[k])).join('&');
  if (!q) return url;
  const h = url.indexOf('#');
  const hash = h < 0 ? '' : url.slice(h);
  const base = h < 0 ? url : url.slice(0, h);
  const i = base.indexOf('?');
  if (i < 0) return base + '?' + q + hash;
  const rest = base.slice(i + 1);
  return base.slice(0, i + 1) + q + (rest ? '&' + rest : '') + hash;
}
