/**
 * `neffos-ts/legacy` in browsers: the typed client for legacy Iris back ends and the codec (the
 * server is Node-only). Pages written for Iris's `/iris-ws.js` load the script a `LegacyServer` serves.
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
export { LegacyClient, dialLegacy, type LegacyCloseInfo, type LegacyDialOptions, type LegacyMessage, type LegacyWebSocket } from './client.js';
export { irisWsSource, type IrisWs, type IrisWsConstructor } from './iris-ws.js';
