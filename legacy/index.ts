/**
 * `neffos-ts/legacy`: the legacy Iris websocket (Iris v6 to v11, `github.com/kataras/iris/websocket`).
 * A Node server with Iris's API that serves `/iris-ws.js` (the `Ws` browser client), a typed client
 * for legacy Iris back ends, and the pure codec. See docs/legacy.md.
 */
// Everything the browser entry has (codec, client, the served script's source), plus the Node-only server.
export * from './browser.js';
export { LegacyServer, LEGACY_DEFAULTS, type LegacyConfig, type ResolvedLegacyConfig } from './server.js';
export { LegacyConnection, type LegacyEmitter, type PayloadArgs, type PayloadKind } from './connection.js';
export type { UpgradeRequest } from '../server/request.js';
