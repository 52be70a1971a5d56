/**
 * The legacy Iris websocket example (Iris v6 to v11's `websocket` docs) on Node: a chat whose front end
 * is the page Iris's docs ship — `<script src="/iris-ws.js">` and `new Ws(url)` — unchanged.
 *
 * Go (Iris v11)                                   neffos-ts/legacy
 *   ws := websocket.New(websocket.Config{...})      const ws = new LegacyServer({...})
 *   ws.OnConnection(handleConnection)               ws.onConnection(handleConnection)
 *   app.Get("/echo", ws.Handler())                  ws.attach(http, { endpoint: '/echo' })
 *   app.Any("/iris-ws.js", ...ClientSource)         (served by attach at /iris-ws.js)
 *   c.On("chat", func(msg string) {...})            c.on('chat', 'string', (msg) => ...)
 *   c.To(websocket.Broadcast).Emit("chat", msg)     c.to(Broadcast).emit('chat', msg)
 *
 * Run: node --import tsx examples/legacy/server.ts   → open http://127.0.0.1:8080 in two tabs
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { Broadcast, LegacyServer, type LegacyConnection } from '../../legacy/index.js';

const page = readFileSync(new URL('./index.html', import.meta.url));

function handleConnection(c: LegacyConnection): void {
  // Read events from the browser; a 'string' handler is Go's func(msg string).
  c.on('chat', 'string', (msg) => {
    console.log(`${c.request.socket.remoteAddress} sent: ${msg}`);
    // Write the message to everyone but its sender (c.emit would answer the sender only).
    c.to(Broadcast).emit('chat', msg);
  });
  // Typed payloads: an int handler (func(int)), a JSON one (func(interface{})).
  c.on('join', 'string', (room) => {
    c.join(room);
    c.to(room).emit('chat', `${c.id} joined ${room}`);
  });
  c.on('score', 'int', (n) => c.emit('score', n * 2));
  c.on('profile', (profile) => c.emit('profile', profile));
  c.onMessage((raw) => c.emitMessage(raw)); // native messages: echoed
  c.onError((err) => console.warn(`${c.id}: ${err.code} ${err.message}`));
  c.onDisconnect(() => console.log(`${c.id} left`));
}

export async function startLegacyExample(port = 8080): Promise<{ ws: LegacyServer; http: HttpServer; origin: string }> {
  const ws = new LegacyServer({
    endpoint: '/echo',
    pongTimeout: 60_000, // gorilla's read deadline; pings every 54 s
    maxMessageSize: 4096,
    idGenerator: (req) => new URL(req.url ?? '/', 'http://localhost').searchParams.get('user') || crypto.randomUUID(),
  });
  ws.onConnection(handleConnection);
  const http = createServer((req, res) => {
    if (req.url === '/' || req.url === '/index.html') return void res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
    res.writeHead(404).end();
  });
  ws.attach(http); // the /echo upgrades and /iris-ws.js; other requests reach the handler above
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', () => resolve()));
  return { ws, http, origin: `http://127.0.0.1:${(http.address() as AddressInfo).port}` };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { origin } = await startLegacyExample();
  console.log(`open ${origin} (the page loads ${origin}/iris-ws.js and connects to /echo)`);
}
