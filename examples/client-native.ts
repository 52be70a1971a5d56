/**
 * Native messages: plain WebSocket frames on namespace "" — both on a neffos
 * endpoint and on a Go native-only endpoint (no neffos handshake at all).
 *
 *   node --import tsx examples/client-native.ts ws://127.0.0.1:8080
 */
import { dial } from '../client/index.js';

const base = process.argv[2] ?? 'ws://127.0.0.1:8080';
const print = { _OnNativeMessage: (_ns: unknown, msg: { body: unknown }) => console.log('native:', String(msg.body)) };

// 1. A neffos endpoint that declares namespace "" with _OnNativeMessage: connect "" first (Go's write guard).
const conn = await dial(`${base}/echo`, { '': print }, { reconnect: false });
await conn.connect('');
conn.sendNative('raw text, no neffos fields');

// 2. A Go native-only endpoint: nativeOnly skips the M/A handshake; every frame is native.
const raw = await dial(`${base}/native`, { '': print }, { nativeOnly: true, reconnect: false });
raw.sendNative('hello native-only server');

await new Promise((r) => setTimeout(r, 300));
conn.close();
raw.close();
