// Writes web/vendor/pyodide/snapshot.bin.gz: Pyodide's memory once it has started (its `_makeSnapshot` option),
// gzipped. web/pyodide.mjs restores it in each of the page's workers instead of initialising Python again, which
// is most of a cold start (about 5 of 6 s on a 2-core machine). Run by tools/vendor.py whenever the vendored
// Pyodide is newer than the snapshot: a snapshot only fits the build of Pyodide it was made with.
//   node tools/pyodide_snapshot.mjs
import { gzipSync } from "node:zlib";
import { writeFileSync, renameSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL("../web/vendor/pyodide/", import.meta.url));
const { loadPyodide } = await import(new URL("../web/vendor/pyodide/pyodide.mjs", import.meta.url).href);
const pyodide = await loadPyodide({ indexURL: dir, _makeSnapshot: true });
const gz = gzipSync(pyodide.makeMemorySnapshot(), { level: 6 });
writeFileSync(`${dir}snapshot.bin.gz.part`, gz);
renameSync(`${dir}snapshot.bin.gz.part`, `${dir}snapshot.bin.gz`);     // never a half-written snapshot
console.log(`wrote web/vendor/pyodide/snapshot.bin.gz (${(gz.length / 2 ** 20).toFixed(1)} MiB)`);
