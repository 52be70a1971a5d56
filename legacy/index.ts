/**
 * `neffos-ts/legacy`: the legacy Iris websocket (Iris v6 to v11, `github.com/kataras/iris/websocket`).
 * A Node server with Iris's API that serves `/iris-ws.js` (the `Ws` browser client), a typed client
 * for legacy Iris back ends, and the pure codec. See docs/legacy.md.
 */
export {
  DEFAULT_PREFIX,
  All,
  Broadcast,
  NotMe,
  MessageType,
  LegacyError,
  decode,
  encode,
  goJSON,
  parseGoInt,
  payloadOf,
  toBytes,
  type Decoded,
  type DecodeOptions,
  type JSONValue,
  type LegacyErrorCode,
  type LegacyValue,
} from './protocol.js';
export { LegacyServer, LEGACY_DEFAULTS, type LegacyConfig, type ResolvedLegacyConfig } from './server.js';
export { LegacyConnection, type LegacyEmitter, type PayloadArgs, type PayloadKind } from './connection.js';
export { LegacyClient, dialLegacy, type LegacyCloseInfo, type LegacyDialOptions, type LegacyMessage, type LegacyWebSocket } from './client.js';
export { irisWsSource, type IrisWs, type IrisWsConstructor } from './iris-ws.js';
