/**
 * Call-site checks of the client. Node: protocol's `checkBody` (its TypeError names the call and what it got).
 * The browser build replaces this file by guard.browser.ts: the same check with a shorter message.
 */
export { checkBody } from '../protocol/index.js';
