// Pure helpers: backoff, URL normalisation, browser header query, the browser environment file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { backoff } from '../../client/backoff.js';
import { wsUrl } from '../../client/url.js';
import { openSocket } from '../../client/env.browser.js';
import { FakeServer } from './fake-socket.js';

test('backoff: full jitter within [0, min(cap, base*factor^n)), growing then capped', () => {
  assert.equal(backoff(0, { minDelay: 100 }, () => 0.999999), 99);
  assert.equal(backoff(3, { minDelay: 100, factor: 2 }, () => 0.5), 400);
  assert.equal(backoff(20, { minDelay: 100, maxDelay: 5000 }, () => 0.5), 2500);
  assert.equal(backoff(5, {}, () => 0), 0);
  fc.assert(fc.property(fc.nat(60), fc.double({ min: 0, max: 0.9999999, noNaN: true }), (n, r) => {
    const d = backoff(n, { minDelay: 250, maxDelay: 10000 }, () => r);
    return Number.isInteger(d) && d >= 0 && d < 10000;
  }));
});

test('wsUrl: schemes, http→ws, bare hosts; relative URLs need a base', () => {
  assert.equal(wsUrl('ws://h/echo'), 'ws://h/echo');
  assert.equal(wsUrl('wss://h/echo'), 'wss://h/echo');
  assert.equal(wsUrl('http://h/echo'), 'ws://h/echo');
  assert.equal(wsUrl('https://h/echo'), 'wss://h/echo');
  assert.equal(wsUrl('localhost:8080/echo'), 'ws://localhost:8080/echo');
  assert.equal(wsUrl('/echo?x=1', 'https://site.example/app/page'), 'wss://site.example/echo?x=1');
  assert.equal(wsUrl('./ws', 'http://site.example/app/page'), 'ws://site.example/app/ws');
  assert.throws(() => wsUrl('/echo'), TypeError); // Node's openSocket says why (conn.test.ts)
  assert.equal(wsUrl('HTTPS://H.example/a b'), 'wss://h.example/a%20b');
});

test('wsUrl with headers: X-Websocket-Header-* parameters at the front of the query, before the hash', () => {
  const q = (url: string, headers: Record<string, string>, base?: string) => wsUrl(url, base, headers);
  assert.equal(q('ws://h:8080/echo', { 'X-Test': 'a b&c', Authorization: 'Bearer t;1' }),
    'ws://h:8080/echo?X-Websocket-Header-X-Test=a+b%26c&X-Websocket-Header-Authorization=Bearer+t%3B1');
  assert.equal(q('ws://h/e?a=1#frag', { K: 'v' }), 'ws://h/e?X-Websocket-Header-K=v&a=1#frag');
  assert.equal(q('ws://h/e?', { K: 'v' }), 'ws://h/e?X-Websocket-Header-K=v');
  assert.equal(q('ws://h/e#f', { K: 'v' }), 'ws://h/e?X-Websocket-Header-K=v#f');
  assert.equal(q('ws://h/e', {}), 'ws://h/e');
  assert.equal(q('ws://h/e?', {}), 'ws://h/e?');
  // the existing query is kept as the URL parser serialised it; relative URLs and http map as without headers
  assert.equal(q('/e?a=%41&b=c d', { 'ü': 'é?' }, 'https://site.example/app'),
    'wss://site.example/e?X-Websocket-Header-%C3%BC=%C3%A9%3F&a=%41&b=c%20d');
});

test('browser environment: relative URL against location, headers in the query, arraybuffer frames', () => {
  const g = globalThis as { location?: unknown };
  const saved = g.location;
  g.location = { href: 'https://app.example/chat/index.html' };
  try {
    const server = new FakeServer();
    server.autoOpen = false;
    const s = openSocket('/echo', { 'X-Websocket-Reconnect': '2' }, { WebSocket: server.WebSocket, protocols: 'p' });
    assert.equal(server.last.url, 'wss://app.example/echo?X-Websocket-Header-X-Websocket-Reconnect=2');
    assert.equal(server.last.options, undefined, 'no Node options in browsers');
    assert.equal(server.last.protocols, 'p');
    assert.equal(s.binaryType, 'arraybuffer');
  } finally {
    g.location = saved;
  }
});
