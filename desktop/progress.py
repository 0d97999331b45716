"""A text progress bar on stderr for long renders and measurement runs (stdlib only)."""
import sys
import time


class Progress:
    """``with Progress(total, "figures") as bar: ... bar.advance()`` draws ``label [####    ] k/N  12s``."""

    def __init__(self, total, label, stream=None, width=30):
        self.total, self.label, self.width = max(int(total), 1), label, width
        self.stream = stream if stream is not None else sys.stderr
        self.done, self.start, self.drawn = 0, time.monotonic(), -1.0

    def __enter__(self):
        self._draw()
        return self

    def advance(self, n=1):
        self.done = min(self.done + n, self.total)
        self._draw()

    def _draw(self):
        now = time.monotonic()
        if self.done < self.total and now - self.drawn < 0.25:
            return
        self.drawn = now
        filled = self.width * self.done // self.total
        bar = "#" * filled + " " * (self.width - filled)
        elapsed = now - self.start
        self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total}  {elapsed:.0f}s")
        self.stream.flush()

    def __exit__(self, *exc):
        self.stream.write("\n")
        self.stream.flush()
        return False
