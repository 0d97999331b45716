// Writes web/vendor/pyodide/snapshot.bin.gz: Pyodide's memory once it has started and imported pycore (its
// `_makeSnapshot` option), gzipped. web/pyodide.mjs restores it in each of the page's workers instead of
// initialising Python and importing pycore again, which is most of a cold start (about 5 of 6 s on a 2-core
// machine, and about 1 s more for pycore: its 30 modules are compiled from source in the browser).
//
// The snapshot also holds `_pycore_snapshot.files`, the SHA-256 of each pycore file it imported: web/engine.py
// uses the snapshot's pycore only when the files the page serves have the same hashes, and imports them afresh
// otherwise. Run by tools/vendor.py whenever the vendored Pyodide, pycore or this script change.
//   node tools/pyodide_snapshot.mjs
import { gzipSync } from "node:zlib";
import { readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const dir = `${root}web/vendor/pyodide/`;
const HOME = "/home/pyodide";     // the worker's working directory, where PyScript writes pyscript.toml's files

// pycore's files, relative to the repository (as pyscript.toml names them, without "./").
const files = (rel) => readdirSync(root + rel).flatMap((name) => {
  const path = `${rel}/${name}`;
  if (statSync(root + path).isDirectory()) return name === "__pycache__" ? [] : files(path);
  return name.endsWith(".py") ? [path] : [];
});

const { loadPyodide } = await import(new URL("../web/vendor/pyodide/pyodide.mjs", import.meta.url).href);
const pyodide = await loadPyodide({ indexURL: dir, _makeSnapshot: true });
for (const path of files("pycore")) {
  pyodide.FS.mkdirTree(`${HOME}/${path.slice(0, path.lastIndexOf("/"))}`);
  pyodide.FS.writeFile(`${HOME}/${path}`, readFileSync(root + path));
}
// Every pycore module, and the standard library modules web/engine.py imports besides.
pyodide.runPython(`
import hashlib, importlib, os, pathlib, sys, types
import json, time, traceback, array
os.chdir("${HOME}")
sys.path.insert(0, "${HOME}")
paths = sorted(pathlib.Path("pycore").rglob("*.py"))
for p in paths:
    importlib.import_module(".".join(p.with_suffix("").parts).removesuffix(".__init__"))
made = types.ModuleType("_pycore_snapshot", "The pycore files this snapshot imported: {path: SHA-256}.")
made.files = {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
sys.modules[made.__name__] = made
`);
const gz = gzipSync(pyodide.makeMemorySnapshot(), { level: 6 });
writeFileSync(`${dir}snapshot.bin.gz.part`, gz);
renameSync(`${dir}snapshot.bin.gz.part`, `${dir}snapshot.bin.gz`);     // never a half-written snapshot
console.log(`wrote web/vendor/pyodide/snapshot.bin.gz (${(gz.length / 2 ** 20).toFixed(1)} MiB, pycore imported)`);
