// Playwright Test (playwright.config.ts, Debian Chromium): the browser bundle in a real page against our server
// (the chat demo's). Issue 12: the state events {from, to} of Conn, NSConn and Room; issue 13: the data-frame
// heartbeat is on by default in browsers (they cannot ping).
import { test, expect } from '@playwright/test';
import { startChatServer, type ChatServer } from '../../examples/chat/server.js';

let chat: ChatServer;
test.beforeAll(async () => { chat = await startChatServer({ port: 0 }); });
test.afterAll(async () => { await chat?.stop(); });

test('browser bundle: state events of Conn, NSConn and Room; heartbeat on by default', async ({ page }) => {
  await page.goto(chat.url + 'style.css'); // any page of the server's origin
  await page.evaluate(() => {
    const w = window as unknown as { intervals: number[] };
    w.intervals = [];
    const original = window.setInterval.bind(window);
    window.setInterval = ((fn: () => void, ms?: number) => (w.intervals.push(ms ?? 0), original(fn, ms))) as typeof window.setInterval;
  });
  await page.addScriptTag({ url: '/neffos.js' }); // served by our Server (clientScript)
  const result = await page.evaluate(async () => {
    const neffos = (window as any).neffos;
    const log: string[] = [];
    const conn = await neffos.dial('/chat', { chat: {} }, { reconnect: false });
    conn.on('state', (e: any) => log.push(`conn:${e.from}>${e.to}`));
    conn.on('namespaceState', (e: any) => log.push(`ns:${e.from}>${e.to}`));
    conn.on('roomState', (e: any) => log.push(`room:${e.from}>${e.to}`));
    const ns = await conn.connect('chat');
    const room = await ns.joinRoom('lobby');
    const members = String((await ns.ask('members', 'lobby')).body);
    await room.leave();
    const states = [conn.state, ns.state, room.state];
    conn.close();
    return { log, members, states, intervals: (window as any).intervals as number[] };
  });
  expect(result.states).toEqual(['open', 'connected', 'left']);
  expect(result.log).toEqual([
    'ns:disconnected>connecting', 'ns:connecting>connected', 'room:left>joining', 'room:joining>joined',
    'room:joined>leaving', 'room:leaving>left', 'ns:connected>disconnected', 'conn:open>closed',
  ]);
  expect(result.members).toContain('[');
  expect(result.intervals).toEqual([15000]);
});
