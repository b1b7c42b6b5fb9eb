"""Spark and JVM failures as one sentence: the deepest Java cause, not py4j's call site."""

from __future__ import annotations

from cur_analysis.errors import SparkFailureError


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else ""


def _java_cause(exc: BaseException) -> str:
    """``Class: message`` of the root cause of a py4j Java exception ("" when there is none)."""
    java = getattr(exc, "java_exception", None)
    if java is None:
        return ""
    try:
        while java.getCause() is not None and java.getCause() != java:
            java = java.getCause()
        return _first_line(java.toString())
    except Exception:  # noqa: BLE001 - the JVM may be gone; fall back to the Python text
        return ""


def spark_failure(exc: BaseException, where_logged: str) -> SparkFailureError | None:
    """``exc`` as a ``SparkFailureError`` when it comes from Spark or its JVM, else None."""
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    if not isinstance(exc, Py4JError | PySparkException):
        return None
    cause = _java_cause(exc) or _first_line(str(exc)) or type(exc).__name__
    return SparkFailureError(f"Spark failed: {cause[:300]}; {where_logged}")
