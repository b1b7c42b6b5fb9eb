"""One root exception for everything a user of the admin tools can cause or fix."""

from __future__ import annotations


class AwsPlanError(Exception):
    """Root of every error the admin tools raise on purpose; their CLIs print it as one line."""


class ConfigError(AwsPlanError):
    """A configuration has one or more bad values; one message per bad value."""

    def __init__(self, source: str, problems: tuple[str, ...]) -> None:
        self.source = source
        self.problems = problems
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{source}: {count} {noun}: " + "; ".join(problems))


class AwsCallError(AwsPlanError):
    """An AWS call failed for a reason retrying cannot fix (permissions, missing resource...)."""

    def __init__(self, call: str, resource: str, code: str, hint: str) -> None:
        self.call = call
        self.resource = resource
        self.code = code
        self.hint = hint
        super().__init__(f"{call} on {resource} failed with {code}: {hint}.")
