"""Serve the page the way a careful static host does: ``python3 tools/serve.py [--port 8000] [--dir .]``.

Python's ``http.server`` sends ``Last-Modified`` and no ``Cache-Control``, so a browser may reuse a file
without asking ("heuristically fresh"), and an edit that keeps the old modification time is never noticed:
a reload can then mix new and old files. Here every response carries

* ``Cache-Control: no-cache``: the browser must revalidate each file before using a stored copy;
* ``ETag``: a hash of the file's content, so revalidation compares content, never modification times
  (``If-None-Match`` gets ``304 Not Modified`` only for the very same bytes);
* the page's ``Content-Security-Policy`` (``CSP``, also in ``index.html`` for hosts that cannot send headers,
  minus ``frame-ancestors``, which only a header can carry): scripts, styles, workers, connections, images and
  fonts from this origin only (workers also from ``blob:`` URLs, which is how PyScript starts them; images and
  fonts also from ``data:``/``blob:``, for KaTeX's fonts and the PNG export); ``'wasm-unsafe-eval'``, because
  Pyodide compiles WebAssembly, and no ``'unsafe-eval'``: nothing on the page or in its workers turns a string
  into code (web/engine.js starts PyScript's workers without the JavaScript hooks PyScript would compile with
  ``Function()``); no inline scripts or ``<style>`` elements, and style *attributes* allowed
  (``style-src-attr 'unsafe-inline'``) because KaTeX positions its glyphs with them;
* and the MIME types ``.mjs``, ``.wasm``, ``.webmanifest`` need.
"""
import argparse
import functools
import hashlib
import http.server
import os
import pathlib

CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; style-src-attr 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
TYPES = {".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm",
         ".webmanifest": "application/manifest+json", ".json": "application/json", ".md": "text/markdown",
         ".toml": "text/plain", ".py": "text/x-python"}


def _hash(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return '"' + h.hexdigest()[:32] + '"'


_cached_hash = functools.lru_cache(maxsize=64)(lambda path, size, mtime_ns, inode: _hash(path))


def etag(path):
    """The content hash of a file: hashed afresh for files under 4 MiB (the page's own files, so no edit can
    hide behind an unchanged size and time); the large runtime files are hashed once per size, time and inode."""
    st = os.stat(path)
    if st.st_size < (4 << 20):
        return _hash(path)
    return _cached_hash(path, st.st_size, st.st_mtime_ns, st.st_ino)


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **TYPES}

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path) and self.path.split("?")[0].endswith("/"):
            path = os.path.join(path, "index.html")
        self._etag = etag(path) if os.path.isfile(path) else None
        if self._etag and self._etag in [t.strip() for t in self.headers.get("If-None-Match", "").split(",")]:
            self.send_response(304)
            self.end_headers()
            return None
        return super().send_head()

    def send_header(self, keyword, value):
        if keyword.lower() == "last-modified":     # content hashes decide freshness, not modification times
            return
        super().send_header(keyword, value)

    def end_headers(self):
        if getattr(self, "_etag", None):
            super().send_header("ETag", self._etag)
        super().send_header("Cache-Control", "no-cache")
        super().send_header("Content-Security-Policy", CSP)
        super().send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, *args):
        pass


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--dir", default=str(pathlib.Path(__file__).resolve().parent.parent))
    args = ap.parse_args(argv)
    handler = functools.partial(Handler, directory=args.dir)
    with http.server.ThreadingHTTPServer((args.bind, args.port), handler) as httpd:
        print(f"Serving {args.dir} on http://{args.bind}:{args.port}/  (Ctrl-C to stop)", flush=True)
        httpd.serve_forever()


if __name__ == "__main__":
    main()
