"""awsplan: AWS clients + desired state -> plan -> apply, shared by the admin tools.

``cur-bootstrap`` (``bootstrap/``) and ``cur-deploy`` (``deploy/``) both build a frozen desired
state, read what AWS holds, return an immutable ``Plan`` and apply exactly it. What both need lives
here: the client factory and the one call wrapper (``aws``), the plan machinery (``plan``), one
root error (``errors``), the TOML configuration checker and validators (``config``), Lake
Formation grant shapes and how grants are read back (``lakeformation``) and the doctor's
``Check`` (``checks``). This package imports neither ``bootstrap``, ``deploy`` nor
``cur_analysis``. Importing it does nothing.
"""

from __future__ import annotations

from awsplan.errors import AwsCallError, AwsPlanError, ConfigError

__all__ = ["AwsCallError", "AwsPlanError", "ConfigError"]
