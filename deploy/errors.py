"""Deploy errors: both are ``awsplan.AwsPlanError`` (the admin tools' one root)."""

from __future__ import annotations

from awsplan.errors import AwsPlanError, ConfigError


class DeployError(AwsPlanError):
    """Something the user can fix stops a deploy (missing artifact, resource in the way)."""


class DeployConfigError(DeployError, ConfigError):
    """The deploy configuration has one or more bad values; one message per bad value."""
