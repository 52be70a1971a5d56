/**
 * Built-in neffos event names (exact wire strings, docs/protocol.md §4.1).
 *
 * The first seven are the system events: connect/disconnect/join/leave
 * requests travel on the wire, the "-ed" variants are local notifications.
 */
export const OnNamespaceConnect = '_OnNamespaceConnect';
export const OnNamespaceConnected = '_OnNamespaceConnected';
export const OnNamespaceDisconnect = '_OnNamespaceDisconnect';
export const OnRoomJoin = '_OnRoomJoin';
export const OnRoomJoined = '_OnRoomJoined';
export const OnRoomLeave = '_OnRoomLeave';
export const OnRoomLeft = '_OnRoomLeft';
export const OnAnyEvent = '_OnAnyEvent';
export const OnNativeMessage = '_OnNativeMessage';

const names = [
  OnNamespaceConnect, OnNamespaceConnected, OnNamespaceDisconnect, OnRoomJoin, OnRoomJoined, OnRoomLeave, OnRoomLeft,
  OnAnyEvent, OnNativeMessage,
] as const;

type Name = (typeof names)[number];

/** Every built-in event name by its key without the `_`: `Events.OnRoomJoin === '_OnRoomJoin'`. */
export const Events = Object.fromEntries(names.map((n) => [n.slice(1), n])) as { readonly [K in Name as K extends `_${infer R}` ? R : never]: K };

export type SystemEventName = (typeof Events)[keyof typeof Events];

const systemEvents = new Set<string>([
  OnNamespaceConnect,
  OnNamespaceConnected,
  OnNamespaceDisconnect,
  OnRoomJoin,
  OnRoomJoined,
  OnRoomLeave,
  OnRoomLeft,
]);

/** Reports whether `event` is one of the seven system events (not `_OnAnyEvent`/`_OnNativeMessage`). */
export function isSystemEvent(event: string): boolean {
  return systemEvents.has(event);
}
