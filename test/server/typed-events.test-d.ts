// Type tests (checked by `npm run typecheck`, not run): handlers get the event map's body types.
import { Server, reply, type ServerNamespaces } from '../../server/index.js';

type Chat = { chat: { say: string; avatar: Uint8Array } };

// Untyped: any namespace, any event; contextual types still flow.
new Server({
  default: { echo: (_ns, msg) => reply(msg.body), x: (ns) => void ns.emit('a', 'b') },
  '': { _OnNativeMessage: () => undefined },
});

// Typed: body types per event, system events allowed.
const typed: ServerNamespaces<Chat> = {
  chat: {
    say: (_ns, msg) => { const s: string = msg.body; void s; },
    avatar: (_ns, msg) => { const u: Uint8Array = msg.body; void u; },
    _OnRoomJoin: (_ns, msg) => (msg.room === 'x' ? new Error('no') : undefined),
  },
};
new Server<Chat>(typed);

new Server<Chat>({
  // @ts-expect-error: `say` carries a string, not bytes
  chat: { say: (_ns, msg) => { const u: Uint8Array = msg.body; void u; } },
});
