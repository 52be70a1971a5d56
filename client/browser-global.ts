/**
 * The plain-`<script>` entry: the only module that sets a global (`neffos`).
 * @example
 * <script src="https://unpkg.com/neffos-ts/dist/browser/neffos.min.js"></script>
 * <script>neffos.dial('/echo', { default: {} }).then((conn) => conn.connect('default'));</script>
 */
import * as neffos from './index.js';

(globalThis as { neffos?: typeof neffos }).neffos = neffos;
