"""A dataset's definition as a digest: what a scheduled run compares to tell that the code that
computes a published dataset changed since it was published.

The digest covers the dataset's declaration (name, output columns, extra source columns and
their types, size class), the form a run asks of it (``focus``: FOCUS version and granularity)
and the source text of every ``cur_analysis`` module its figures go
through: the modules its builder calls, the read path every dataset shares (``conform`` and the
fine grain), and what those modules use from ``cur_analysis``, transitively. The registry
itself is left out (it declares every dataset, so one edit there would restate them all); the
declaration is hashed instead. A change anywhere in that code, comments included, recomputes the
dataset: cheaper than a wrong figure.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import inspect
import sys
from collections.abc import Mapping
from functools import cache
from types import ModuleType

from cur_analysis import conform
from cur_analysis.datasets import grain
from cur_analysis.datasets.registry import Dataset

PACKAGE = "cur_analysis"
_SHARED = (conform, grain)


def definition(dataset: Dataset, form: Mapping[str, str] | None = None) -> str:
    """The digest of ``dataset``'s declaration, the run's ``form`` of it (FOCUS version and
    granularity) and the source of the modules computing it."""
    declared = repr(
        (
            dataset.name,
            dataset.columns,
            [(name, kind.simpleString()) for name, kind in dataset.extra_columns],
            str(dataset.size),
            sorted((form or {}).items()),
        )
    )
    digest = hashlib.sha256(declared.encode())
    for name in sorted(_modules_of(dataset)):
        digest.update(name.encode())
        digest.update(_source(name))
    return digest.hexdigest()[:16]


def _modules_of(dataset: Dataset) -> set[str]:
    """The ``cur_analysis`` modules the builder reaches, with the shared read path."""
    called = inspect.getclosurevars(dataset.builder)
    roots = {_module_name(value) for value in (*called.globals.values(), *_SHARED)}
    found: set[str] = set()
    pending = [name for name in roots if name]
    while pending:
        name = pending.pop()
        if name in found:
            continue
        found.add(name)
        pending += sorted(_used_by(name) - found)
    return found


def _module_name(value: object) -> str | None:
    """The ``cur_analysis`` module defining ``value`` (a module, function or class)."""
    name = value.__name__ if isinstance(value, ModuleType) else getattr(value, "__module__", None)
    if not isinstance(name, str) or not name.startswith(PACKAGE):
        return None
    return None if name.endswith(".registry") else name


@cache
def _used_by(name: str) -> frozenset[str]:
    """The ``cur_analysis`` modules ``name`` imports anywhere in its text (a constant imported
    from a module carries no trace of it at run time, so the imports are read)."""
    used: set[str] = set()
    for node in ast.walk(ast.parse(_source(name))):
        if isinstance(node, ast.Import):
            used |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            used.add(node.module)
            used |= {f"{node.module}.{alias.name}" for alias in node.names}
    return frozenset(n for n in used if _is_module(n))


def _is_module(name: str) -> bool:
    """A ``cur_analysis`` module other than the registry (``from m import CONSTANT`` also
    lists ``m.CONSTANT``, which is none)."""
    if not name.startswith(f"{PACKAGE}.") or name.endswith(".registry"):
        return False
    if name not in sys.modules:
        try:
            importlib.import_module(name)  # imported inside a function: importing does nothing
        except ImportError:
            return False
    return True


@cache
def _source(name: str) -> bytes:
    """The module's file as installed (a zip import too: the loader reads it)."""
    module = sys.modules[name]
    return module.__loader__.get_data(module.__file__)  # type: ignore[union-attr]
