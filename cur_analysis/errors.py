"""One root exception: everything a user can cause ends as one of these, printed as one sentence.

Each class has its own exit code, so a scheduler can tell a bad argument from broken source data
or a held lock without reading the message (docs/publishing.md lists them).
"""

from __future__ import annotations


class CurAnalysisError(Exception):
    """Root of every error a user can cause; the CLI prints its message as one line.

    Catch it to handle every failure the library anticipates; each subclass says what kind.

    Attributes:
        exit_code: The exit code of the CLI and the Glue job for this kind of error (1 for a
            bad input; each subclass has its own, listed in the publishing page of the manual).
    """

    exit_code = 1


class InvalidInputError(CurAnalysisError):
    """A value given by the user (period, name, path) is malformed."""


class MissingPeriodError(CurAnalysisError):
    """A requested billing period has no partition in the source table."""

    exit_code = 3


class MissingTableError(CurAnalysisError):
    """The source table or database does not exist in the catalog."""

    exit_code = 3


class SourceDataError(CurAnalysisError):
    """The source data is incomplete or malformed: a required column missing in a month, an
    empty partition, a corrupt file, a column typed irreconcilably between months."""

    exit_code = 4


class SourceListingError(CurAnalysisError):
    """The source files of a period could not be listed (a permission error, throttling that
    outlasted the retries, an unreachable endpoint): a run cannot tell what changed, so it
    stops instead of skipping."""

    exit_code = 9


class OutputError(CurAnalysisError):
    """The output location cannot be written (not a folder, read-only, not reachable)."""

    exit_code = 5


class HomeLockedError(CurAnalysisError):
    """Another run holds the local home (its catalog and Spark folder)."""

    exit_code = 6


class SparkFailureError(CurAnalysisError):
    """Spark or its JVM failed for a reason none of the checks above caught."""

    exit_code = 7


# A failure no check anticipated (a bug): one line too, and the stack trace with --debug.
INTERNAL_ERROR_EXIT = 8
# argparse's own exit code for a usage error (unknown option, value rejected by its type).
USAGE_ERROR_EXIT = 2


def error_line(exc: CurAnalysisError) -> str:
    """The one line a user sees for an error (the CLI and the Glue job both print it)."""
    return f"cur-analysis: error: {exc}"
