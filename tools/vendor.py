"""Copy the pinned runtime (Pyodide, PyScript, KaTeX, marked, d3-contour, three.js) from node_modules into
web/vendor, and make Pyodide's start-up snapshot there (tools/pyodide_snapshot.mjs).

The page loads everything from its own origin: this is what makes it work offline. Idempotent: a file is
copied again only when its size or mtime changed (a rewritten file: only when its rewritten text changed), and
the snapshot is made again only when what it was made from changes (Pyodide's files, pycore's).
"""
import hashlib
import pathlib
import re
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
NM = ROOT / "node_modules"
OUT = ROOT / "web" / "vendor"

COPIES = {
    "pyodide": ("pyodide", ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip",
                            "pyodide-lock.json"]),
    "pyscript": ("@pyscript/core/dist", None),
    "katex": ("katex/dist", ["katex.min.js", "katex.min.css", "contrib/auto-render.min.js", "fonts"]),
    "marked": ("marked/lib", ["marked.esm.js"]),
    "d3": (".", ["d3-array/dist/d3-array.min.js", "d3-contour/dist/d3-contour.min.js"]),
    # Only what web/view3d.js loads: the core build and three addons (orbit controls, wide lines).
    "three": ("three", ["build/three.module.js", "build/three.core.js", "examples/jsm/controls/OrbitControls.js",
                        "examples/jsm/lines/LineSegments2.js", "examples/jsm/lines/LineSegmentsGeometry.js",
                        "examples/jsm/lines/LineMaterial.js"]),
}

# three's addons import the bare specifier 'three'; the page has no import map (its CSP allows no inline
# script), so each is pointed at the build copied next to it.
REWRITES = {"three": ("from 'three'", "from './three.module.js'")}
BARE = re.compile(r"""from\s*['"]three['"]""")


def _copy(src, dst):
    if src.is_dir():
        for child in src.iterdir():
            _copy(child, dst / child.name)
        return
    if src.suffix == ".map":
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    if not dst.exists() or dst.stat().st_size != src.stat().st_size or dst.stat().st_mtime < src.stat().st_mtime:
        shutil.copy2(src, dst)


def _rewrite(src, dst, old, new):
    text = src.read_text(encoding="utf-8").replace(old, new)
    if BARE.search(text):
        sys.exit(f"{src} still imports the bare specifier 'three' after rewriting")
    if not dst.exists() or dst.read_text(encoding="utf-8") != text:
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_text(text, encoding="utf-8")


def _snapshot():
    """Pyodide's start-up snapshot, with pycore imported, made again whenever what it was made from changes: the
    Pyodide files, pycore's files or the script that makes it. Their hash is kept next to it (npm gives every
    file the same old modification time, so times cannot tell)."""
    pyodide = OUT / "pyodide"
    sources = [pyodide / name for name in COPIES["pyodide"][1]] + [ROOT / "tools" / "pyodide_snapshot.mjs"]
    sources += sorted(p for p in (ROOT / "pycore").rglob("*.py") if "__pycache__" not in p.parts)
    digest = hashlib.sha256()
    for path in sources:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    source = pyodide / "snapshot.source"
    if not (pyodide / "snapshot.bin.gz").exists() or not source.exists() or source.read_text() != digest.hexdigest():
        subprocess.run(["node", str(ROOT / "tools" / "pyodide_snapshot.mjs")], check=True)
        source.write_text(digest.hexdigest())


def main():
    if not NM.is_dir():
        sys.exit("node_modules is missing: run `npm ci` (make does it for you)")
    for name, (base, files) in COPIES.items():
        src = NM / base
        if files is None:
            _copy(src, OUT / name)
        else:
            for f in files:
                dst = OUT / name / pathlib.Path(f).name
                if name in REWRITES:
                    _rewrite(src / f, dst, *REWRITES[name])
                else:
                    _copy(src / f, dst)
    _snapshot()
    print(f"vendored runtime into {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
