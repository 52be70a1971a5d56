/**
 * A Node client for a legacy Iris back end (Iris v6 to v11): typed values both ways.
 *
 * Run: node --import tsx examples/legacy/client.ts ws://127.0.0.1:8080/echo
 */
import { pathToFileURL } from 'node:url';
import { dialLegacy, LegacyError, type LegacyClient } from '../../legacy/index.js';

export async function chat(url: string, user: string): Promise<LegacyClient> {
  const client = await dialLegacy(`${url}?user=${encodeURIComponent(user)}`, { timeout: 5000 });
  client.on('chat', (msg) => console.log(`chat: ${String(msg)}`));
  client.on('score', (n, m) => console.log(`score: ${String(n)} (type ${m.type})`)); // a Go `int` arrives as undefined: Go writes no payload
  client.onDisconnect(({ code }) => console.log(`closed (${code})`));
  client.onError((err: LegacyError) => console.warn(err.code, err.message));
  client.emit('chat', `hello from ${user}`); // string → type 0
  client.emit('score', 21); // safe integer → type 1
  client.emit('profile', { name: user, tags: ['node'] }); // object → JSON (4)
  return client;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const client = await chat(process.argv[2] ?? 'ws://127.0.0.1:8080/echo', 'node');
  setTimeout(() => void client.close(), 2000);
}
