/**
 * The ceiling: a raw `ws` server that speaks exactly the neffos frames the
 * benchmark uses, with nothing else — handshake (`M` -> `A<id>`), namespace
 * connect, room join/leave, `echo` (reply), `echoAll` (broadcast to all),
 * `chat` (broadcast to the others; a room message reaches only that room).
 * Every frame is converted to bytes once per broadcast.
 *
 *   node --import tsx bench/peers/raw-server.ts      -> prints READY <port>, path /echo
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { announce } from './control.js';

interface Client { ws: WebSocket; inNs: boolean; rooms: Set<string> }

const members = new Set<Client>();
const rooms = new Map<string, Set<Client>>();
let nextId = 1;

function emptyReply(c: Client, wait: string): void {
  c.ws.send(wait + ';;;;;;');
}

function broadcast(frame: string, room: string, except: Client | null): void {
  const targets = room === '' ? members : rooms.get(room);
  if (!targets) return;
  const bytes = Buffer.from(frame);
  for (const c of targets) if (c !== except) c.ws.send(bytes, { binary: false });
}

function handle(c: Client, s: string): void {
  if (s === 'M') {
    c.ws.send('A' + nextId++);
    return;
  }
  const i0 = s.indexOf(';');
  const i1 = s.indexOf(';', i0 + 1);
  const i2 = s.indexOf(';', i1 + 1);
  const i3 = s.indexOf(';', i2 + 1);
  const i4 = s.indexOf(';', i3 + 1);
  const i5 = s.indexOf(';', i4 + 1);
  if (i0 < 0 || i1 < 0 || i2 < 0 || i3 < 0 || i4 < 0 || i5 < 0) return;
  const wait = s.slice(0, i0);
  const room = s.slice(i1 + 1, i2);
  const event = s.slice(i2 + 1, i3);
  switch (event) {
    case 'echo':
      c.ws.send(s);
      return;
    case 'echoAll':
      broadcast(s, room, null);
      return;
    case 'chat':
      broadcast(s, room, c);
      return;
    case '_OnNamespaceConnect':
      c.inNs = true;
      members.add(c);
      emptyReply(c, wait);
      return;
    case '_OnNamespaceDisconnect':
      leaveAll(c);
      members.delete(c);
      emptyReply(c, wait);
      return;
    case '_OnRoomJoin': {
      let set = rooms.get(room);
      if (!set) rooms.set(room, (set = new Set()));
      set.add(c);
      c.rooms.add(room);
      emptyReply(c, wait);
      return;
    }
    case '_OnRoomLeave':
      rooms.get(room)?.delete(c);
      c.rooms.delete(room);
      emptyReply(c, wait);
      return;
    default:
  }
}

function leaveAll(c: Client): void {
  for (const r of c.rooms) rooms.get(r)?.delete(c);
  c.rooms.clear();
}

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/echo', perMessageDeflate: false, clientTracking: false, backlog: 4096 });
wss.on('connection', (ws) => {
  const c: Client = { ws, inNs: false, rooms: new Set() };
  ws.on('message', (data: Buffer) => handle(c, data.toString()));
  ws.on('error', () => {});
  ws.on('close', () => {
    leaveAll(c);
    members.delete(c);
  });
});
wss.on('listening', () => announce((wss.address() as { port: number }).port, { close: () => new Promise((r) => wss.close(() => r())) }));
