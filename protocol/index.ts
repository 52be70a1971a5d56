/**
 * neffos-ts/protocol — the neffos wire protocol: messages, codec, handshake,
 * wait tokens, system events and known errors. Pure: no sockets, no timers.
 * @packageDocumentation
 */
export { type Body, type Message, type MessageInit, createMessage, isBody, checkBody, bodyText, bodyBytes, marshal, unmarshal } from './message.js';
export { type Frame, type DecodeOptions, encode, decode } from './codec.js';
export { SEMICOLON_REPLACEMENT, escape, unescape } from './escape.js';
export * from './events.js';
export * from './errors.js';
export * from './handshake.js';
export * from './wait.js';
export { Reply, reply, isReply } from './reply.js';
