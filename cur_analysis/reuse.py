"""Column builders memoized per JVM: the same expression object for every frame and run.

Building a Column costs one py4j round trip per function, column name and literal (``F.col``,
``F.lit``, ``when``, ...), and each Python-side Column freed costs one more (py4j's garbage
collection of the JVM object). A run builds the same measure, dimension and roll-up expressions
for the grain and again for every dataset; on the 2-core machines these tests run on a round trip
costs about 1.3 ms, so a small run spent more time building expressions (about 4,300 round trips)
than inside Spark jobs (README, "Performance"). A Column is an immutable expression that belongs
to no session or frame, only to the JVM, so one object can serve them all.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from typing import TypeVar

from pyspark import SparkContext

T = TypeVar("T")


def per_jvm(builder: Callable[..., T]) -> Callable[..., T]:
    """Memoize ``builder`` (positional, hashable arguments) for as long as the JVM it built on
    lives; a new JVM (a new gateway) starts afresh. Callers must not mutate what it returns."""
    cache: dict[tuple[Hashable, ...], T] = {}
    built_on: list[object] = [None]

    @functools.wraps(builder)
    def cached(*args: Hashable) -> T:
        gateway = SparkContext._gateway
        if gateway is None:
            return builder(*args)
        if built_on[0] is not gateway:
            cache.clear()
            built_on[0] = gateway
        if args not in cache:
            cache[args] = builder(*args)
        return cache[args]

    return cached
