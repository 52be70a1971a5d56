/**
 * A connection's connected namespaces, by name. Most connections have one: it is kept as that NSConn alone, and a Map
 * (about 200 bytes each) is made only for a second one. Functions over the value, so a Conn holds one field.
 */
import type { NSConn } from './nsconn.js';

/** No namespace, one, or (two or more) a Map by name in the order they connected. */
export type NamespaceTable = NSConn | Map<string, NSConn> | undefined;

/** The NSConn of `name`, or undefined. */
export function lookup(table: NamespaceTable, name: string): NSConn | undefined {
  if (table === undefined) return undefined;
  if (table instanceof Map) return table.get(name);
  return table.namespace === name ? table : undefined;
}

/** The table with `ns` in it (replacing one of the same name). */
export function withNamespace(table: NamespaceTable, ns: NSConn): NamespaceTable {
  if (table === undefined || (!(table instanceof Map) && table.namespace === ns.namespace)) return ns;
  const map = table instanceof Map ? table : new Map([[table.namespace, table]]);
  map.set(ns.namespace, ns);
  return map;
}

/** The table without `ns` (unchanged when another NSConn has its name). */
export function withoutNamespace(table: NamespaceTable, ns: NSConn): NamespaceTable {
  if (table === ns) return undefined;
  if (!(table instanceof Map) || table.get(ns.namespace) !== ns) return table;
  table.delete(ns.namespace);
  return table.size === 1 ? (table.values().next().value as NSConn) : table.size === 0 ? undefined : table;
}

/** The NSConns, in the order they connected. */
export function listOf(table: NamespaceTable): NSConn[] {
  return table === undefined ? [] : table instanceof Map ? [...table.values()] : [table];
}
