"""Shared test set-up: the repository root on sys.path so `import pycore` works from a clean clone."""
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
