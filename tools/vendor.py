"""Copy the pinned runtime (Pyodide, PyScript, KaTeX, marked, d3-contour) from node_modules into web/vendor.

The page loads everything from its own origin: this is what makes it work offline. Idempotent: a file is
copied again only when its size or mtime changed.
"""
import pathlib
import shutil
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
}


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


def main():
    if not NM.is_dir():
        sys.exit("node_modules is missing: run `npm ci` (make does it for you)")
    for name, (base, files) in COPIES.items():
        src = NM / base
        if files is None:
            _copy(src, OUT / name)
        else:
            for f in files:
                _copy(src / f, OUT / name / pathlib.Path(f).name)
    print(f"vendored runtime into {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
