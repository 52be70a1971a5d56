// A raw WebSocket peer for the legacy protocol tests: sends frames as given and records every frame
// it gets, byte for byte, so the Go Iris v11 server and our LegacyServer can be compared.
import WebSocket from 'ws';

export const P = 'iris-websocket-message:';

export interface RawFrame {
  readonly binary: boolean;
  readonly bytes: Buffer;
}

export interface RawPeer {
  readonly frames: RawFrame[];
  /** The frames as text (latin1: every byte one char, so bytes compare exactly), `B:` before binary ones. */
  texts(): string[];
  send(frame: string | Buffer, binary?: boolean): void;
  /** Resolves once `n` frames have arrived (rejects after `ms`). */
  waitFrames(n: number, ms?: number): Promise<void>;
  /** Sends the marker event `string;0;<mark>` and waits for its echo: every reply to what was sent before is in. */
  sync(mark?: string): Promise<void>;
  /** Resolves with the close code once the socket closed (rejects after `ms`). */
  closed(ms?: number): Promise<number>;
  readonly isOpen: boolean;
  close(): void;
  /** Drops the TCP connection at once. */
  terminate(): void;
}

export async function rawPeer(url: string): Promise<RawPeer> {
  const ws = new WebSocket(url, { skipUTF8Validation: true }); // the bytes as written, UTF-8 or not
  const frames: RawFrame[] = [];
  let closeCode: number | undefined;
  const waiters = new Set<() => void>();
  const poke = () => { for (const w of [...waiters]) w(); };
  ws.on('message', (d: Buffer, binary) => { frames.push({ binary, bytes: Buffer.from(d) }); poke(); });
  ws.on('close', (code) => { closeCode = code; poke(); });
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  const until = (what: string, f: () => boolean, ms: number) =>
    new Promise<void>((resolve, reject) => {
      if (f()) return resolve();
      const t = setTimeout(() => { waiters.delete(check); reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(texts())}`)); }, ms);
      const check = () => { if (f()) { clearTimeout(t); waiters.delete(check); resolve(); } };
      waiters.add(check);
    });
  const texts = () => frames.map((f) => (f.binary ? 'B:' : '') + f.bytes.toString('latin1'));
  let marks = 0;
  return {
    frames,
    texts,
    send: (frame, binary = false) => ws.send(frame, { binary }),
    waitFrames: (n, ms = 5000) => until(`${n} frames`, () => frames.length >= n, ms),
    async sync(mark = `__sync${++marks}__`) {
      const want = `${P}string;0;${mark}`;
      ws.send(want);
      await until(`the echo of ${mark}`, () => texts().includes(want), 5000);
      frames.splice(texts().indexOf(want), 1);
    },
    closed: (ms = 5000) => until('close', () => closeCode !== undefined, ms).then(() => closeCode!),
    get isOpen() { return ws.readyState === WebSocket.OPEN; },
    close: () => ws.close(),
    terminate: () => ws.terminate(),
  };
}
