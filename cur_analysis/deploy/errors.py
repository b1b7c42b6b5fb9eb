"""Deploy errors: both are ``CurAnalysisError`` (the package's one root exception)."""

from __future__ import annotations

from cur_analysis.errors import CurAnalysisError


class DeployError(CurAnalysisError):
    """Something the user can fix stops a deploy (missing artifact, resource in the way)."""


class DeployConfigError(DeployError):
    """The deploy configuration has one or more bad values; one message per bad value."""

    def __init__(self, source: str, problems: tuple[str, ...]) -> None:
        self.source = source
        self.problems = problems
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"{source}: {len(problems)} {noun}: " + "; ".join(problems))
