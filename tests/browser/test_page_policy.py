"""The page's Content-Security-Policy, read from the files (no browser; tests/browser/test_csp.py checks it in
force in Chromium): tools/serve.py's header and index.html's meta tag state the same policy, which allows
scripts, styles, workers and connections from the page's own origin only, plus WebAssembly compilation for
Pyodide; and nothing in the page's own files needs more: no inline event handlers (``on…=`` attributes, or
``setAttribute("on…")``), no ``javascript:`` URLs, no inline ``<script>`` with code. (web/vendor, the pinned
third-party runtime copied by tools/vendor.py, is not the page's own markup and is not scanned; the browser
test runs it under the policy.)"""
import re

from csp_policy import ROOT, directives, header_policy, meta_policy

HTML_FILES = [ROOT / "index.html", *sorted(p for p in (ROOT / "web").rglob("*.html") if "vendor" not in p.parts)]
JS_FILES = sorted(p for p in (ROOT / "web").rglob("*.js") if "vendor" not in p.parts) + [ROOT / "sw.js"]
INLINE_HANDLER = re.compile(r"<[a-zA-Z][^<>]*?\son[a-z]+\s*=", re.S)
SET_HANDLER = re.compile(r"setAttribute\(\s*[\"'`]on[a-z]+", re.I)
JS_URL = re.compile(r"(?:href|src|action|formaction)\s*=\s*[\"'`]?\s*javascript:", re.I)
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)


def test_header_and_meta_tag_state_the_same_policy():
    header, meta = directives(header_policy()), directives(meta_policy())
    assert header.pop("frame-ancestors") == ["'none'"]     # only a header can say it; a meta tag is ignored there
    assert header == meta


def test_the_policy_allows_only_this_origin():
    d = directives(header_policy())
    assert d["default-src"] == ["'self'"]
    assert set(d["script-src"]) <= {"'self'", "'wasm-unsafe-eval'"}, d["script-src"]
    assert d["style-src"] == ["'self'"]                    # inline <style> elements refused
    assert d["style-src-attr"] == ["'unsafe-inline'"]      # KaTeX's output positions glyphs in style attributes
    assert set(d["worker-src"]) <= {"'self'", "blob:"}     # PyScript starts its workers from blob: URLs
    assert d["connect-src"] == ["'self'"]
    assert d["object-src"] == ["'none'"] and d["base-uri"] == ["'none'"] and d["form-action"] == ["'none'"]
    for name, sources in d.items():
        assert not any(s.startswith(("http:", "https:", "*")) or s == "'unsafe-eval'" for s in sources), name
        if name != "style-src-attr":
            assert "'unsafe-inline'" not in sources, name


def test_no_inline_handlers_javascript_urls_or_inline_scripts():
    found = []
    for path in HTML_FILES + JS_FILES:
        text = path.read_text()
        rel = path.relative_to(ROOT)
        found += [f"{rel}: inline handler {m[0][-40:]!r}" for m in INLINE_HANDLER.finditer(text)]
        found += [f"{rel}: {m[0]!r}" for m in SET_HANDLER.finditer(text)]
        found += [f"{rel}: javascript: URL" for _ in JS_URL.finditer(text)]
        if path.suffix == ".html":
            found += [f"{rel}: inline <script> with code" for attrs, body in SCRIPT.findall(text)
                      if body.strip() or "src=" not in attrs]
    assert not found, found
    assert len(HTML_FILES) >= 1 and len(JS_FILES) > 20


def test_the_scan_finds_what_it_looks_for():
    """The patterns above are not deaf: each catches its own example."""
    assert INLINE_HANDLER.search('<img src="x" onerror="go()">') and INLINE_HANDLER.search("`<button\n onclick=${f}>`")
    assert not INLINE_HANDLER.search('<a class="button-online">') and not INLINE_HANDLER.search("x.onclick = f")
    assert SET_HANDLER.search("b.setAttribute('onclick', 'go()')")
    assert JS_URL.search('<a href="javascript:go()">')
    assert SCRIPT.findall("<script>go()</script>") == [("", "go()")]
