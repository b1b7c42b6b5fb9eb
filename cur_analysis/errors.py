"""One root exception: everything a user can cause ends as one of these, printed as one sentence."""

from __future__ import annotations


class CurAnalysisError(Exception):
    """Root of every error a user can cause; the CLI prints its message and exits 1."""


class InvalidInputError(CurAnalysisError):
    """A value given by the user (period, name, path) is malformed."""


class MissingPeriodError(CurAnalysisError):
    """A requested billing period has no partition in the source table."""


class MissingTableError(CurAnalysisError):
    """The source table or database does not exist in the catalog."""


def error_line(exc: CurAnalysisError) -> str:
    """The one line a user sees for an error (the CLI and the Glue job both print it, exit 1)."""
    return f"cur-analysis: error: {exc}"
