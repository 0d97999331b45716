"""Examples in pycore's docstrings are true."""
import doctest
import importlib
import pkgutil

import pytest

import pycore

MODULES = ["pycore"] + [f"pycore.{m.name}" for m in pkgutil.iter_modules(pycore.__path__)]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
