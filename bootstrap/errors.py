"""cur-bootstrap's errors: all are ``awsplan.AwsPlanError`` (the admin tools' one root)."""

from __future__ import annotations

from awsplan.errors import AwsCallError, AwsPlanError, ConfigError

__all__ = ["AwsCallError", "BootstrapError", "ConfigError"]


class BootstrapError(AwsPlanError):
    """Something the user can fix stops cur-bootstrap (wrong account, conflict, missing grant)."""
