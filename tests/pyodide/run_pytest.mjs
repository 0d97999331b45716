// Runs pycore's own pytest suite inside Pyodide (the npm package, under Node): the same interpreter build the
// page uses, so a pass here means the browser runs the same code. Usage:
//   node tests/pyodide/run_pytest.mjs [pytest args...]
//   node tests/pyodide/run_pytest.mjs --script FILE.py   (runs a script instead; its stdout is printed)
// Needs node_modules (npm ci) and the pure-Python wheels in .make/wheels (make downloads them).
import { loadPyodide } from "pyodide";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const wheelDir = path.join(repo, ".make", "wheels");
const wheels = readdirSync(wheelDir).filter((f) => f.endsWith(".whl"));
if (wheels.length === 0) {
  console.error(`no wheels in ${wheelDir}: run \`make test\` (it downloads them)`);
  process.exit(2);
}

const py = await loadPyodide();
// The repository and the wheels, read-only views of the real files.
py.FS.mkdirTree("/repo");
py.FS.mount(py.FS.filesystems.NODEFS, { root: repo }, "/repo");
py.globals.set("WHEELS", py.toPy(wheels));
py.globals.set("ARGS", py.toPy(process.argv.slice(2)));
const code = await py.runPythonAsync(`
import os, sys, zipfile
site = "/tmp/site"
for w in WHEELS:
    zipfile.ZipFile(f"/repo/.make/wheels/{w}").extractall(site)
sys.path[:0] = [site, "/repo"]
os.chdir("/repo")
args = list(ARGS)
if args[:1] == ["--script"]:
    import runpy
    runpy.run_path(args[1], run_name="__main__")
    code = 0
else:
    import pytest
    code = int(pytest.main(args or ["-q", "-p", "no:cacheprovider", "tests"]))
code
`);
process.exit(code);
