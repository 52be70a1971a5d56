/**
 * Built-in neffos event names (exact wire strings, PROTOCOL.md §4.1).
 *
 * The first seven are the system events: connect/disconnect/join/leave
 * requests travel on the wire, the "-ed" variants are local notifications.
 */
export const Events = {
  OnNamespaceConnect: '_OnNamespaceConnect',
  OnNamespaceConnected: '_OnNamespaceConnected',
  OnNamespaceDisconnect: '_OnNamespaceDisconnect',
  OnRoomJoin: '_OnRoomJoin',
  OnRoomJoined: '_OnRoomJoined',
  OnRoomLeave: '_OnRoomLeave',
  OnRoomLeft: '_OnRoomLeft',
  OnAnyEvent: '_OnAnyEvent',
  OnNativeMessage: '_OnNativeMessage',
} as const;

export type SystemEventName = (typeof Events)[keyof typeof Events];

export const OnNamespaceConnect = Events.OnNamespaceConnect;
export const OnNamespaceConnected = Events.OnNamespaceConnected;
export const OnNamespaceDisconnect = Events.OnNamespaceDisconnect;
export const OnRoomJoin = Events.OnRoomJoin;
export const OnRoomJoined = Events.OnRoomJoined;
export const OnRoomLeave = Events.OnRoomLeave;
export const OnRoomLeft = Events.OnRoomLeft;
export const OnAnyEvent = Events.OnAnyEvent;
export const OnNativeMessage = Events.OnNativeMessage;

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
