/**
 * A Node client: connect, ask, rooms, answer server asks, reconnect.
 *
 *   node --import tsx examples/client-node.ts ws://127.0.0.1:8080/echo
 *
 * Works against any neffos server with a `default` namespace; against the e2e
 * Go harness (e2e/go/cmd/server) every call below gets an answer.
 */
import { dial, reply, RemoteError, TimeoutError } from '../client/index.js';

// Typed events: TypeScript checks event names and body types of emit, ask and handlers.
type Default = { echo: string; chat: string; question: string; askMe: string; answer: string };

const url = process.argv[2] ?? 'ws://127.0.0.1:8080/echo';

const conn = await dial<{ default: Default }>(url, {
  default: {
    _OnNamespaceConnected: (ns) => console.log(`connected to ${ns.namespace}`),
    _OnRoomJoined: (_ns, msg) => console.log(`joined ${msg.room}${msg.isLocal ? '' : ' (by the server)'}`),
    chat: (_ns, msg) => console.log(`chat${msg.room ? ` in ${msg.room}` : ''}: ${msg.body}`),
    // The server asks us: the returned reply goes back with the same wait token.
    question: (_ns, msg) => reply(`fine, thanks (you asked: ${msg.body})`),
    answer: (_ns, msg) => console.log(`the server got our answer: ${msg.body}`),
  },
}, {
  headers: { 'X-Test': 'example' },
  reconnect: { minDelay: 250, maxDelay: 5000, maxRetries: 20 },
  requestTimeout: 5000,
});

conn.on('state', ({ from, to }) => console.log(`state: ${from} → ${to}`));
conn.on('reconnected', ({ attempt }) => console.log(`reconnected after ${attempt} attempt(s)`));
conn.on('closed', ({ reason }) => console.log(`closed (${reason})`));

console.log(`id ${conn.id}`);
const ns = await conn.connect('default');

const answer = await ns.ask('echo', 'hello');
console.log(`echo answered: ${answer.body}`);

try {
  await ns.ask('chat', 'nobody replies to chat', { timeout: 500 });
} catch (e) {
  if (e instanceof TimeoutError) console.log('no reply within 500 ms, as expected');
  else if (e instanceof RemoteError) console.log(`the server said: ${e.message}`);
  else throw e;
}

const room = await ns.joinRoom('lobby');
room.emit('chat', 'hi lobby');
ns.emit('askMe', 'how are you?');

await new Promise((r) => setTimeout(r, 500));
await room.leave();
conn.close();
