"""Every doc the page's Learn panel may request exists, for every key of the registry the page is built from.

The paths are read from web/learn.js (its DOCS table), so a renamed doc or a changed path template fails here
before it fails in a browser.
"""
import pathlib
import re

from pycore.browser.catalog import catalog

ROOT = pathlib.Path(__file__).resolve().parents[1]

LEARN_JS = (ROOT / "web" / "learn.js").read_text()


def _docs_table():
    block = re.search(r"export const DOCS = \{(.*?)\n\};", LEARN_JS, re.S)
    assert block, "web/learn.js has no DOCS table"
    templates = dict(re.findall(r"^\s*(\w+): (?:\(key\) => )?[`\"]([^`\"]+)[`\"],$", block.group(1), re.M))
    assert set(templates) == {"optimizer", "surfaces", "comparison"}, templates
    return templates


def test_every_doc_the_page_requests_exists_for_every_registry_key():
    docs = _docs_table()
    keys = [o["key"] for o in catalog()["optimizers"]]
    assert len(keys) == 12
    assert "${key}" in docs["optimizer"]
    for key in keys:
        path = ROOT / docs["optimizer"].replace("${key}", key)
        assert path.is_file(), f"the Explain panel requests {path.relative_to(ROOT)}, which is missing"
        assert path.read_text().startswith("<!-- generated:header -->\n# "), path
    for name in ("surfaces", "comparison"):
        assert (ROOT / docs[name]).is_file(), docs[name]


def test_links_between_docs_open_in_the_page():
    """Links from the optimizer pages to other docs (the surfaces, the comparison, the previous and next
    optimizer) point at files the page opens in place. The index, docs/optimizers/README.md, is for GitHub: the
    page has its own picker, so no page links to it."""
    docs = _docs_table()
    keys = [o["key"] for o in catalog()["optimizers"]]
    opens = {docs["surfaces"], docs["comparison"]} | {docs["optimizer"].replace("${key}", k) for k in keys}
    targets = set()
    for key in keys:
        path = ROOT / docs["optimizer"].replace("${key}", key)
        for target in re.findall(r"\]\(([^)\s#]+\.md)(?:#[\w-]*)?\)", path.read_text()):
            targets.add((path.parent / target).resolve().relative_to(ROOT).as_posix())
    assert {docs["surfaces"], docs["comparison"]} <= targets <= opens, targets - opens
