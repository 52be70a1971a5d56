/**
 * The Conn's own events come from eventemitter3. The browser build replaces this
 * module by emitter.browser.ts: the same API and behaviour in a fraction of the bytes
 * (test/client/emitter.test.ts runs one contract against both).
 */
export { EventEmitter } from 'eventemitter3';
