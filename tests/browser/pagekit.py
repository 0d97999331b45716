"""Helpers shared by the browser tests and tools/bench_page.py: paths, Chromium settings, serving the page."""
import contextlib
import os
import pathlib
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
READY_TIMEOUT_MS = 90_000
LOOPBACK = {"127.0.0.1", "localhost"}


_FUNCTION = re.compile(r"^\s*(?:async\b|function\b|\([^()]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)")


def as_function(expression):
    """A wait_for_function predicate as a function: Playwright compiles an expression string with eval inside the
    page, which the page's Content-Security-Policy (no 'unsafe-eval') refuses; a function it can call."""
    return expression if _FUNCTION.match(expression) else f"() => ({expression})"


def predicates_as_functions():
    """Makes every page.wait_for_function / frame.wait_for_function take expressions as functions (as_function),
    so tests may keep writing ``page.wait_for_function("optviz.state().step > 0")``."""
    from playwright.sync_api import Frame, Page
    for cls in (Page, Frame):
        original = cls.wait_for_function
        if getattr(original, "as_function", False):
            continue

        def wait_for_function(self, expression, *args, _original=original, **kwargs):
            return _original(self, as_function(expression), *args, **kwargs)
        wait_for_function.as_function = True
        cls.wait_for_function = wait_for_function


def wait_ready(page):
    """Until the page says the first contour is drawn and clicks are live."""
    # A function, not an expression: Playwright compiles a string predicate with eval, which the page's policy refuses.
    page.wait_for_function("() => document.documentElement.dataset.ready === 'true'", timeout=READY_TIMEOUT_MS)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(directory):
    """``tools/serve.py`` (what ``make serve`` runs) on a free loopback port in ``directory``; yields the URL."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "tools" / "serve.py"), "--port", str(port), "--dir",
                             str(directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(url, timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"tools/serve.py did not start on port {port}")
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextlib.contextmanager
def serve_from_sub_path():
    """The repository served at /some/where/optviz/ (a symlink in a temporary root); yields that URL."""
    with tempfile.TemporaryDirectory() as tmp:
        nested = pathlib.Path(tmp, "some", "where")
        nested.mkdir(parents=True)
        os.symlink(ROOT, nested / "optviz")
        with serve(tmp) as url:
            yield url + "some/where/optviz/"


def settle(page):
    """Until nothing the page asked Python for is still on its way (optviz.idle())."""
    page.evaluate("optviz.idle()")


def state(page):
    """The page's JSON-able snapshot (window.optviz.state()) once it has settled."""
    return page.evaluate("optviz.idle().then(() => optviz.state())")


def reset(page, surface="rosenbrock"):
    """The given surface, torch defaults, every optimizer enabled, paused at 60 steps/s (a faster speed left by
    another test can end a playback between two key presses), settled."""
    page.select_option("#speed", "60")
    if state(page)["surface"] != surface:
        page.select_option("#surface", surface)
    settle(page)
    page.get_by_role("button", name="Torch defaults").click()
    page.get_by_role("button", name="All", exact=True).click()
    settle(page)
    page.evaluate("optviz.pause()")


def hover_dot(page, key):
    """Moves the real mouse onto an optimizer's dot (dots are found by distance, so the mouse, not an element)."""
    box = page.locator(f'#plot .dot[data-key="{key}"]').bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def enable_only(page, *names):
    """Exactly these optimizers enabled (legend buttons, by display name)."""
    page.get_by_role("button", name="None", exact=True).click()
    for name in names:
        page.get_by_role("button", name=name, exact=True).click()


def shot(page, name):
    """Screenshot into tests/artifacts/ (git-ignored) for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
