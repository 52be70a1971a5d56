/**
 * Light receivers for the fan-out, connect-storm and memory scenarios: raw
 * `ws` sockets doing the full handshake of each protocol and counting the
 * frames that arrive. Every server is measured with the same cheap receiver,
 * so the load process costs the same whichever server it drives.
 *
 * - neffos servers (ours, Go, raw): `M` -> `A<id>`, namespace connect `default`
 * - socket.io: engine.io v4 `0{...}` open packet, `40` namespace connect, ping `2` -> pong `3`
 */
import WebSocket from 'ws';

export type Protocol = 'neffos' | 'sio';

/** Shared delivery counter for all receivers; `seqErrors` counts per-socket reordering. */
export interface Counter { delivered: number; seqErrors: number; onDelivery?: () => void }

export interface Shim {
  ws: WebSocket;
  /** Sends a broadcast trigger: `event` in `room` ('' for none) with `body`. */
  send(event: string, room: string, body: string): void;
  join(room: string): Promise<void>;
  close(): void;
}

const SETUP_TIMEOUT = 15_000;

/** Opens one receiver with the full handshake and namespace connect; rejects on failure or timeout. */
export function connectShim(protocol: Protocol, url: string, counter: Counter): Promise<Shim> {
  return protocol === 'neffos' ? neffosShim(url, counter) : sioShim(url, counter);
}

function lastSeq(s: string): number {
  // bodies end with '#<seq>'; the shim checks that each socket sees increasing sequence numbers
  const i = s.lastIndexOf('#');
  return i < 0 ? -1 : Number(s.slice(i + 1, s.length - (s.endsWith('"]') ? 2 : 0)));
}

function neffosShim(url: string, counter: Counter): Promise<Shim> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let stage = 0; // 0 open, 1 wait ack, 2 wait ns reply, 3 ready
    let next = 0;
    let seq = -1;
    const waits = new Map<string, () => void>();
    const timer = setTimeout(() => fail(new Error('neffos shim: setup timeout')), SETUP_TIMEOUT);
    const fail = (e: Error): void => {
      clearTimeout(timer);
      ws.terminate();
      reject(e);
    };
    const request = (room: string, event: string): Promise<void> =>
      new Promise((r) => {
        const wait = '$' + ++next;
        waits.set(wait, r);
        ws.send(wait + ';default;' + room + ';' + event + ';0;0;');
      });
    const shim: Shim = {
      ws,
      send: (event, room, body) => ws.send(';default;' + room + ';' + event + ';0;0;' + body),
      join: (room) => request(room, '_OnRoomJoin'),
      close: () => ws.terminate(),
    };
    ws.on('error', (e) => stage < 3 && fail(e));
    ws.on('open', () => {
      stage = 1;
      ws.send('M');
    });
    ws.on('message', (data: Buffer) => {
      const s = data.toString();
      if (stage === 3) {
        if (s.charCodeAt(0) === 0x24 /* $ */) {
          const w = s.slice(0, s.indexOf(';'));
          const done = waits.get(w);
          if (done) {
            waits.delete(w);
            done();
            return;
          }
        }
        const q = lastSeq(s);
        if (q >= 0) {
          if (q <= seq) counter.seqErrors++;
          seq = q;
        }
        counter.delivered++;
        counter.onDelivery?.();
      } else if (stage === 1) {
        if (s[0] !== 'A') return fail(new Error('neffos shim: handshake refused: ' + s));
        stage = 2;
        ws.send('$0;default;;_OnNamespaceConnect;0;0;');
      } else if (stage === 2) {
        if (!s.startsWith('$0;')) return;
        if (s.split(';')[4] === '1') return fail(new Error('neffos shim: namespace refused: ' + s));
        stage = 3;
        clearTimeout(timer);
        resolve(shim);
      }
    });
  });
}

function sioShim(url: string, counter: Counter): Promise<Shim> {
  const u = new URL(url);
  const wsUrl = `ws://${u.host}/socket.io/?EIO=4&transport=websocket`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
    let stage = 0;
    let next = 0;
    let seq = -1;
    const acks = new Map<number, () => void>();
    const timer = setTimeout(() => fail(new Error('sio shim: setup timeout')), SETUP_TIMEOUT);
    const fail = (e: Error): void => {
      clearTimeout(timer);
      ws.terminate();
      reject(e);
    };
    const shim: Shim = {
      ws,
      send: (event, room, body) =>
        ws.send(room === '' ? `42${JSON.stringify([event, body])}` : `42${JSON.stringify(['roomChat', room, body])}`),
      join: (room) =>
        new Promise((r) => {
          const id = ++next;
          acks.set(id, r);
          ws.send(`42${id}${JSON.stringify(['join', room])}`);
        }),
      close: () => ws.terminate(),
    };
    ws.on('error', (e) => stage < 3 && fail(e));
    ws.on('message', (data: Buffer) => {
      const s = data.toString();
      if (s === '2') {
        ws.send('3');
        return;
      }
      if (stage === 3) {
        if (s.startsWith('42')) {
          const q = lastSeq(s);
          if (q >= 0) {
            if (q <= seq) counter.seqErrors++;
            seq = q;
          }
          counter.delivered++;
          counter.onDelivery?.();
        } else if (s.startsWith('43')) {
          const id = parseInt(s.slice(2), 10);
          acks.get(id)?.();
          acks.delete(id);
        }
      } else if (s[0] === '0' && stage === 0) {
        stage = 2;
        ws.send('40');
      } else if (stage === 2 && s.startsWith('40')) {
        stage = 3;
        clearTimeout(timer);
        resolve(shim);
      } else if (s.startsWith('44')) {
        fail(new Error('sio shim: namespace refused: ' + s));
      }
    });
  });
}
