"""The layers: pycore's engine never imports the browser boundary (pycore.browser), no module imports form a
circle, pycore imports only the standard library, and the page's Python config ships every pycore module."""
import ast
import pathlib
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
PYCORE = ROOT / "pycore"


def _module(path):
    rel = path.relative_to(ROOT).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _imports(path):
    """The pycore modules ``path`` imports, and the top-level names of everything else it imports."""
    name = _module(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    inner, outer = set(), set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for a in node.names:
                (inner if a.name.startswith("pycore") else outer).add(a.name if a.name.startswith("pycore")
                                                                       else a.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
                if node.module:
                    inner.add(target)
                else:
                    inner.update(f"{target}.{a.name}" for a in node.names)
            elif node.module.startswith("pycore"):
                inner.add(node.module)
            else:
                outer.add(node.module.split(".")[0])
    modules = {_module(p) for p in PYCORE.rglob("*.py")}
    return {m for m in inner if m in modules}, outer


GRAPH = {_module(p): _imports(p) for p in PYCORE.rglob("*.py")}


def test_the_engine_never_imports_the_browser_boundary():
    for name, (inner, _) in GRAPH.items():
        if not name.startswith("pycore.browser"):
            assert not any(m.startswith("pycore.browser") for m in inner), (name, inner)


def test_no_import_circles():
    state = {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in GRAPH[node][0]:
            if nxt == node:
                continue
            assert state.get(nxt) != "open", " -> ".join(stack + [node, nxt])
            if nxt not in state:
                visit(nxt, stack + [node])
        state[node] = "done"

    for name in GRAPH:
        if name not in state:
            visit(name, [])


def test_pycore_uses_the_standard_library_only():
    for name, (_, outer) in GRAPH.items():
        assert outer <= set(sys.stdlib_module_names), (name, outer - set(sys.stdlib_module_names))


def test_pyscript_toml_maps_every_pycore_module_and_no_packages():
    config = tomllib.loads((ROOT / "pyscript.toml").read_text())
    modules = sorted(f"./{p.relative_to(ROOT).as_posix()}" for p in PYCORE.rglob("*.py"))
    assert sorted(config["files"]) == modules
    assert all(config["files"][m] == m for m in modules)
    assert "packages" not in config
    assert config["interpreter"] == "./web/pyodide.mjs"
