"""A doc with malformed links still renders (web/markdown.js), and a doc the renderer cannot handle gives a message,
not a page left on "Loading…" with an unhandled rejection (web/learn.js).

One page load. Two explanations are replaced on their way to the page (Playwright routes): Adam's by a doc full
of links and images whose URLs do not parse (``new URL`` throws on ``http://[invalid``), SGD's by a doc that
makes the renderer throw (markdown.js is served with one line added that throws on a marker). The conftest
watch fails the test on any console error or page error, so an unhandled rejection fails it too.
"""
import pytest

from pagekit import ROOT, wait_ready

pytestmark = pytest.mark.browser

BAD_LINKS = r"""# Adam, with broken links (adam)

First paragraph: a [bad link](http://[invalid) between words, and a [good link](sgd.md#anchor).

![bad figure](http://[bad/x.png) and ![another bad figure](http://[::1/y.png "a title").

An autolink that is not a URL: <http://[broken>, and a bare one: http://[bare.

$$\theta_t = \theta_{t-1} - \eta \, \hat m_t$$

- a list item with [a bad link too](https://[x)
- and a good one, [the surfaces](../surfaces.md)

| column | link |
|---|---|
| cell | [bad in a table](http://[t) |

The closing paragraph renders: THE-END.
"""
THROWS = "# SGD (sgd)\n\nRENDER-THROWS: this doc makes the renderer throw.\n"
INJECTED = 'if (text.includes("RENDER-THROWS")) throw new RangeError("the renderer gave up on this doc");'


@pytest.fixture(scope="module")
def page(server, open_page):
    p, watch = open_page(server + "manifest.webmanifest", wait=False)
    source = (ROOT / "web" / "markdown.js").read_text()
    head = "export function renderMarkdown(text, url, idPrefix) {"
    assert head in source
    patched = source.replace(head, head + "\n  " + INJECTED)
    p.route("**/web/markdown.js", lambda r: r.fulfill(status=200, content_type="text/javascript", body=patched))
    p.route("**/docs/optimizers/adam.md", lambda r: r.fulfill(status=200, content_type="text/markdown", body=BAD_LINKS))
    p.route("**/docs/optimizers/sgd.md", lambda r: r.fulfill(status=200, content_type="text/markdown", body=THROWS))
    p.goto(server + "index.html", wait_until="domcontentloaded")
    wait_ready(p)
    yield p, watch
    p.close()


def test_bad_links_and_images_become_text_and_the_rest_renders(page):
    p, watch = page
    p.get_by_role("button", name="Explain Adam", exact=True).click()
    doc = p.locator("#learn .doc")
    doc.locator("p", has_text="THE-END").wait_for(timeout=30_000)
    assert p.locator("#learn .load-error").is_hidden()
    assert "broken links" in doc.locator("h1").inner_text()
    text = doc.inner_text()
    for words in ("a bad link between words", "bad figure", "another bad figure", "a bad link too", "bad in a table",
                  "http://[broken", "http://[bare"):
        assert words in text, words
    # Bad URLs: text, never an element; good ones: links as usual; the formula and the table render.
    hrefs = doc.evaluate("d => [...d.querySelectorAll('a[href]')].map((a) => [a.textContent, a.getAttribute('href')])")
    assert not [h for h in hrefs if "[" in h[1] or "bad" in h[0]], hrefs
    assert doc.locator("a[data-doc]", has_text="good link").count() == 1
    assert doc.locator("a[data-doc]", has_text="the surfaces").count() == 1
    assert doc.locator("img").count() == 0
    assert doc.locator(".math-display .katex").count() == 1 and doc.locator(".katex-error").count() == 0
    assert doc.locator("table td", has_text="bad in a table").count() == 1
    assert not watch.errors


def test_a_doc_the_renderer_cannot_handle_gives_a_message(page):
    p, watch = page
    p.get_by_role("tab", name="Controls").click()
    p.get_by_role("button", name="Explain SGD", exact=True).click()
    error = p.locator("#learn .load-error")
    error.wait_for(timeout=30_000)
    assert "docs/optimizers/sgd.md could not be shown" in error.inner_text()
    assert "the renderer gave up on this doc" in error.inner_text()
    assert p.locator("#learn .doc").get_attribute("aria-busy") is None
    assert "Loading" not in p.locator("#learn .doc").inner_text()
    # The panel still works: another doc opens and the message goes away.
    p.get_by_role("tab", name="Controls").click()
    p.get_by_role("button", name="Explain Adam", exact=True).click()
    p.locator("#learn .doc p", has_text="THE-END").wait_for(timeout=30_000)
    assert error.is_hidden()
    assert not watch.errors
