"""Column builders memoized per JVM: the same expression object for every frame and run.

Building a Column costs one py4j round trip per function, column name and literal (``F.col``,
``F.lit``, ``when``, ...), and freeing it one more; a run builds the same measure, dimension and
roll-up expressions for the grain and for every dataset. A Column is an immutable expression that
belongs to no session or frame, only to the JVM, so one object serves them all (the design
record: docs/decisions/0005-expressions-built-once-per-jvm.md).

``per_jvm`` is the one place the memo lives: a builder decorated with it reads as a plain
function, and what it returns is shared, so it must be immutable (a Column, a tuple, a frozen
dataclass or a read-only mapping); a list, dict or set is refused.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from typing import TypeVar

from pyspark import SparkContext

T = TypeVar("T")

# Results a caller could change under every other caller of the same builder.
_MUTABLE = (list, dict, set, bytearray)


def per_jvm(builder: Callable[..., T]) -> Callable[..., T]:
    """Memoize ``builder`` (positional, hashable arguments: pass tuples, not lists) for as long
    as the JVM it built on lives; a new JVM (a new gateway) starts afresh. Without a JVM the
    builder runs each time. A mutable result is a ``TypeError``."""
    cache: dict[tuple[Hashable, ...], T] = {}
    built_on: list[object] = [None]

    @functools.wraps(builder)
    def cached(*args: Hashable) -> T:
        gateway = SparkContext._gateway
        if gateway is None:
            return _shareable(builder, builder(*args))
        if built_on[0] is not gateway:
            cache.clear()
            built_on[0] = gateway
        if args not in cache:
            cache[args] = _shareable(builder, builder(*args))
        return cache[args]

    return cached


def _shareable(builder: Callable[..., object], result: T) -> T:
    if isinstance(result, _MUTABLE):
        raise TypeError(
            f"{builder.__qualname__} returns a {type(result).__name__}, which its callers share: "
            "return a tuple or a read-only mapping (types.MappingProxyType)"
        )
    return result
