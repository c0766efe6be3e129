"""The examples in the domain package's docstrings are true."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import pathways

MODULES = sorted(m.name for m in pkgutil.walk_packages(pathways.__path__, "pathways."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
