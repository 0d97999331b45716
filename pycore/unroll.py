"""The 2-D fast path: ``pycore.rules`` re-compiled with every pass over the coordinates written out, derived
from its source at import rather than written by hand.

Each rule in ``pycore.rules`` is one pass over the coordinates. For the two coordinates of a run, the loop and
list machinery around that pass costs more than its arithmetic (``make bench`` prints the engine's time).
``unrolled(module, n)`` parses the module's source and rewrites, in every function:

* ``for a, b in zip(A, B): body`` (or ``for i, (a, b) in enumerate(zip(A, B))``) as ``body`` n times, copy k
  preceded by ``a = A[k]; b = B[k]`` (and ``i = k``);
* ``[e for a, b in zip(A, B)]`` as the list ``[e_0, ..., e_{n-1}]``, ``e_k`` being ``e`` with ``A[k]``, ``B[k]``
  for ``a``, ``b``;
* a list made by ``L = []`` and filled by one ``L.append(e)`` per pass as n local names, one per copy, read
  afterwards as the tuple of them; ``tuple(...)`` of a list or tuple written out is that tuple.

Nothing else changes: the same float operations in the same order, so the derived rules give bit-identical
results (``tests/test_unroll.py`` checks every optimizer and option against the general rules), and they are
only valid for exactly n coordinates. What it cannot unroll faithfully raises ValueError with the line: a
``break`` or ``continue`` in a pass, a zip over something other than names, a list appended to more than once
per pass, outside a pass, or under a condition that changes from one coordinate to the next.
"""
import ast
import copy
import inspect
import types


def unroll_source(source, n, filename="<unroll>"):
    """The syntax tree of ``source`` with every pass over coordinates unrolled for ``n`` coordinates."""
    return _Unroll(n).visit(ast.parse(source, filename))


def unrolled(module, n):
    """A new module: ``module``'s source with every pass over coordinates unrolled for ``n`` coordinates. Only
    its functions are new; every other name (classes such as ``Rule``, constants) is ``module``'s own object."""
    tree = unroll_source(inspect.getsource(module), n, module.__file__)
    out = types.ModuleType(f"{module.__name__}_{n}", module.__doc__)
    out.__dict__.update(__file__=module.__file__, __package__=module.__package__)
    exec(compile(ast.fix_missing_locations(tree), module.__file__, "exec"), out.__dict__)
    out.__dict__.update((k, v) for k, v in vars(module).items()
                        if not isinstance(v, types.FunctionType) and not k.startswith("__"))
    return out


def _own(func):
    """The nodes of ``func``'s body, not descending into nested functions, lambdas or classes."""
    todo = list(func.body)
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            todo += ast.iter_child_nodes(node)


def _pairs(assign):
    """(target, value) pairs of an assignment, element by element for ``a, b = x, y``."""
    target, value = assign.targets[0], assign.value
    if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and len(target.elts) == len(value.elts):
        return list(zip(target.elts, value.elts))
    return [(target, value)]


def _drop_lists(assign, lists):
    """``assign`` without the bindings of ``lists``, or None if nothing is left."""
    kept = [(t, v) for t, v in _pairs(assign) if not (isinstance(t, ast.Name) and t.id in lists)]
    if not kept:
        return None
    if len(kept) == 1:
        return ast.copy_location(ast.Assign([kept[0][0]], kept[0][1]), assign)
    return ast.copy_location(ast.Assign([ast.Tuple([t for t, _ in kept], ast.Store())],
                                        ast.Tuple([v for _, v in kept], ast.Load())), assign)


def _appends(body, lists, bound):
    """{list: most appends along one path through ``body``}; refuses more than one, an append under a condition
    that reads a name the pass binds, or one inside any other compound statement."""
    counts = {}
    for stmt in body:
        hit = _append(stmt, lists)
        if hit is not None:
            here = {hit[0]: 1}
        elif isinstance(stmt, ast.If):
            a, b = _appends(stmt.body, lists, bound), _appends(stmt.orelse, lists, bound)
            here = {k: max(a.get(k, 0), b.get(k, 0)) for k in a.keys() | b.keys()}
            if here and _read(stmt.test) & bound:
                _refuse(stmt, "a list appended to under a condition that changes from one coordinate to the next")
        else:
            if any(_append(n, lists) for n in ast.walk(stmt) if isinstance(n, ast.stmt)):
                _refuse(stmt, "a list appended to inside a compound statement other than if")
            here = {}
        for k, c in here.items():
            counts[k] = counts.get(k, 0) + c
            if counts[k] > 1:
                _refuse(stmt, f"{k} appended to more than once in one pass")
    return counts


def _refuse(node, why):
    raise ValueError(f"cannot unroll line {node.lineno}: {why}")


def _zip_args(call, node):
    """The sequences a ``zip(...)`` call walks, or None if ``call`` is not such a call. Each is read once per
    coordinate, so it must be an expression without calls (names, ``a if c else b``)."""
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "zip"):
        return None
    if call.keywords or any(isinstance(n, (ast.Call, ast.NamedExpr, ast.Starred, ast.Yield, ast.YieldFrom,
                                           ast.Await, ast.Lambda)) for a in call.args for n in ast.walk(a)):
        _refuse(node, "zip over something other than names read without calls")
    return call.args


def _names(target, node):
    if not (isinstance(target, ast.Tuple) and all(isinstance(e, ast.Name) for e in target.elts)):
        _refuse(node, "the loop's target is not a tuple of names")
    return [e.id for e in target.elts]


def _pass(node):
    """(index name or None, target names, sequences) of a pass over coordinates, or None."""
    index, target, it = None, node.target, node.iter
    if (isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "enumerate"
            and len(it.args) == 1 and isinstance(target, ast.Tuple) and len(target.elts) == 2
            and isinstance(target.elts[0], ast.Name)):
        index, target, it = target.elts[0].id, target.elts[1], it.args[0]
    seqs = _zip_args(it, node)
    if seqs is None:
        return None
    names = _names(target, node)
    if len(names) != len(seqs):
        _refuse(node, "the loop unpacks a different number of names than zip walks")
    return index, names, seqs


def _item(seq, k):
    return ast.Subscript(copy.deepcopy(seq), ast.Constant(k), ast.Load())


def _written(nodes):
    return {n.id for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _read(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


class _Substitute(ast.NodeTransformer):
    """Reads of the given names replaced by expressions."""

    def __init__(self, mapping):
        self.mapping = mapping

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load) and node.id in self.mapping:
            return ast.copy_location(copy.deepcopy(self.mapping[node.id]), node)
        return node


def _appended(node):
    """The name L if ``node`` is a call ``L.append(...)``, else None."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "append"
            and isinstance(node.func.value, ast.Name)):
        return node.func.value.id
    return None


def _append(stmt, lists):
    """The list name and the appended expression if ``stmt`` is ``L.append(e)`` for L in ``lists``."""
    if (isinstance(stmt, ast.Expr) and _appended(stmt.value) in lists and len(stmt.value.args) == 1
            and not stmt.value.keywords):
        return stmt.value.func.value.id, stmt.value.args[0]
    return None


class _Unroll(ast.NodeTransformer):
    def __init__(self, n):
        self.n = n

    def visit_FunctionDef(self, node):
        lists, self.filled = self._append_lists(node), set()
        node.body = self._block(node.body, lists, None)
        if lists:
            node = _Substitute({name: ast.Tuple([ast.Name(f"{name}__{k}", ast.Load()) for k in range(self.n)],
                                                ast.Load()) for name in lists}).visit(node)
        return self.generic_visit(node)         # nested functions, comprehensions, tuple(...) of displays

    def _append_lists(self, func):
        """Names bound once in ``func``'s own body (not nested functions), by ``L = []``, and appended to."""
        stores, empty = {}, set()
        for node in _own(func):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                stores[node.id] = stores.get(node.id, 0) + 1
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                empty |= {t.id for t, v in _pairs(node)
                          if isinstance(t, ast.Name) and isinstance(v, ast.List) and not v.elts}
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                stores.update(dict.fromkeys(node.names, 2))
        params = {a.arg for a in ast.walk(func.args) if isinstance(a, ast.arg)}
        appended = {_appended(node) for node in _own(func)} - {None}
        return {name for name in empty & appended if stores[name] == 1 and name not in params}

    def _block(self, body, lists, copy_k):
        """Statements with passes unrolled; inside copy ``copy_k`` of a pass, appends become assignments."""
        out = []
        for stmt in body:
            if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id in lists for t, _ in _pairs(stmt)):
                stmt = _drop_lists(stmt, lists)
                if stmt is None:
                    continue
            hit = _append(stmt, lists)
            if hit is not None:
                if copy_k is None:
                    _refuse(stmt, f"{hit[0]} is appended to outside a pass over coordinates")
                out.append(ast.copy_location(ast.Assign([ast.Name(f"{hit[0]}__{copy_k}", ast.Store())], hit[1]), stmt))
            elif isinstance(stmt, ast.For) and (spec := _pass(stmt)) is not None:
                out += self._unroll(stmt, spec, lists, copy_k)
            elif isinstance(stmt, ast.If):
                stmt.body = self._block(stmt.body, lists, copy_k)
                stmt.orelse = self._block(stmt.orelse, lists, copy_k)
                out.append(stmt)
            else:
                for field in ("body", "orelse", "finalbody"):
                    if isinstance(getattr(stmt, field, None), list) and not isinstance(stmt, ast.FunctionDef):
                        setattr(stmt, field, self._block(getattr(stmt, field), lists, copy_k))
                for h in getattr(stmt, "handlers", ()):
                    h.body = self._block(h.body, lists, copy_k)
                out.append(stmt)
        return out

    def _unroll(self, loop, spec, lists, outer):
        index, names, seqs = spec
        if outer is not None:
            _refuse(loop, "a pass inside a pass")
        if loop.orelse or any(isinstance(n, (ast.Break, ast.Continue)) for n in ast.walk(loop)):
            _refuse(loop, "a pass with break, continue or else")
        bound = _written(loop.body) | set(names) | {index}
        if bound & set().union(*map(_read, seqs)):
            _refuse(loop, "a pass that rebinds a sequence it walks")
        _appends(loop.body, lists, bound)
        reads = [n.id for n in ast.walk(loop) if isinstance(n, ast.Name) and n.id in lists]
        appends = [name for name in map(_appended, ast.walk(loop)) if name in lists]
        if len(reads) != len(appends):
            _refuse(loop, "a list a pass fills is read inside the pass")
        if self.filled & set(appends):
            _refuse(loop, "a list filled by two passes")
        self.filled |= set(appends)
        out = []
        for k in range(self.n):
            head = [ast.Assign([ast.Name(name, ast.Store())], _item(seq, k)) for name, seq in zip(names, seqs)]
            if index is not None:
                head.insert(0, ast.Assign([ast.Name(index, ast.Store())], ast.Constant(k)))
            out += [ast.copy_location(h, loop) for h in head]
            out += self._block(copy.deepcopy(loop.body), lists, k)
        return out

    def visit_ListComp(self, node):
        node = self.generic_visit(node)
        if len(node.generators) != 1:
            return node
        gen = node.generators[0]
        seqs = _zip_args(gen.iter, node)
        if seqs is None:
            return node
        if gen.ifs or gen.is_async:
            _refuse(node, "a comprehension over zip with a condition")
        names = _names(gen.target, node)
        if any(isinstance(n, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Lambda))
               for n in ast.walk(node.elt)):
            _refuse(node, "a comprehension nested in a comprehension over zip")
        elts = [_Substitute({a: _item(s, k) for a, s in zip(names, seqs)}).visit(copy.deepcopy(node.elt))
                for k in range(self.n)]
        return ast.copy_location(ast.List(elts, ast.Load()), node)

    def visit_Call(self, node):
        node = self.generic_visit(node)
        if (isinstance(node.func, ast.Name) and node.func.id == "tuple" and len(node.args) == 1
                and not node.keywords and isinstance(node.args[0], (ast.List, ast.Tuple))):
            return ast.copy_location(ast.Tuple(node.args[0].elts, ast.Load()), node)
        return node
