"""awsplan: AWS clients + desired state -> plan -> apply, shared by the admin tools.

``cur-bootstrap`` (``bootstrap/``) and ``cur-deploy`` (``deploy/``) both build a frozen desired
state, read what AWS holds, return an immutable ``Plan`` and apply exactly it. What both need lives
here: the client factory and the one call wrapper (``aws``), the plan machinery (``plan``), one
root error (``errors``), the TOML configuration checker and validators (``config``), Lake
Formation grant values, how grants are read back and the data lake settings (``lakeformation``),
the doctor's ``Check`` (``checks``) and the command-line parser and help layout (``cli``).

awsplan imports neither admin tool. From the library it imports only ``cur_analysis.io.aws``:
the library ships alone to Glue and holds the one client retry configuration, and both admin
tools use that same configuration through ``awsplan.aws``. Importing awsplan does nothing.
"""

from __future__ import annotations

from awsplan.errors import AwsCallError, AwsPlanError, ConfigError

__all__ = ["AwsCallError", "AwsPlanError", "ConfigError"]
