/**
 * One in-flight operation per key: a second call while the first is pending gets the same promise
 * (two concurrent `connect('ns')` send one request; two `joinRoom('r')` run `_OnRoomJoin` once).
 */
export function shared<K, T>(inFlight: Map<K, Promise<T>>, key: K, start: () => Promise<T>): Promise<T> {
  let p = inFlight.get(key);
  if (!p) inFlight.set(key, (p = start().finally(() => inFlight.delete(key))));
  return p;
}
