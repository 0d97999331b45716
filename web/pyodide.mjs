// The interpreter PyScript starts in each of the page's workers (pyscript.toml `interpreter`, web/engine.js):
// Pyodide, restored from a snapshot of its memory taken once it had started and imported pycore
// (web/vendor/pyodide/snapshot.bin.gz, made by tools/vendor.py from these same files and pycore's with Pyodide's
// `_makeSnapshot`). Python's own initialisation is most of a cold start (about 5 of 6 s on a 2-core machine) and
// compiling pycore about 1 s more; a worker restored from the snapshot skips both (web/engine.py checks that the
// snapshot's pycore is the one served). Should the snapshot be missing or not fit, the worker starts Pyodide the
// ordinary way and says so in the console.
import { loadPyodide as start, version } from "./vendor/pyodide/pyodide.mjs";

export { version };

const INDEX = new URL("./vendor/pyodide/", import.meta.url).href;

async function snapshot() {
  const r = await fetch(new URL("snapshot.bin.gz", INDEX));
  if (!r.ok) throw new Error(`snapshot.bin.gz: HTTP ${r.status}`);
  return new Response(r.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
}

export async function loadPyodide(options = {}) {
  const memory = snapshot();
  memory.catch(() => {});     // handled below, when Pyodide's start fails with it (not an unhandled rejection)
  try {
    return await start({ ...options, indexURL: INDEX, _loadSnapshot: memory });
  } catch (e) {
    console.warn(`Pyodide starts without its snapshot (${e.message})`);
    return start({ ...options, indexURL: INDEX });
  }
}
