"""The page's Content-Security-Policy as tools/serve.py sends it and as index.html's meta tag states it, and a
parser for policies (directive -> sources), for tests/browser/test_csp.py and test_page_policy.py."""
import html.parser
import importlib.util

from pagekit import ROOT


def header_policy():
    """The policy tools/serve.py sends with every response."""
    spec = importlib.util.spec_from_file_location("optviz_serve", ROOT / "tools" / "serve.py")
    serve = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(serve)
    return serve.CSP


class _Meta(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy":
            self.found.append(a.get("content", ""))


def meta_policy(path=ROOT / "index.html"):
    """The policy in the page's ``<meta http-equiv="Content-Security-Policy">`` (exactly one)."""
    parser = _Meta()
    parser.feed(path.read_text())
    assert len(parser.found) == 1, f"{path} has {len(parser.found)} CSP meta tags"
    return parser.found[0]


def directives(policy):
    """{directive: [sources]} of a policy text; a directive given twice is an error here (browsers keep the
    first, silently)."""
    out = {}
    for part in policy.split(";"):
        words = part.split()
        if not words:
            continue
        name = words[0].lower()
        assert name not in out, f"{name} appears twice in {policy!r}"
        out[name] = words[1:]
    return out
