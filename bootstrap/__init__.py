"""cur-bootstrap: make the cross-account CUR sharing chain exist and stay correct.

Producer side (the payer account A): RAM share of the Glue catalog, database and tables, Lake
Formation grants to the organization (or accounts), S3 bucket policy statement. Consumer side
(the analytics account B): resource link, Lake Formation grants to the Glue job role, IAM read
policy. ``plan`` reads and lists, ``apply`` changes exactly what ``plan`` listed, ``doctor`` reads
and diagnoses. Importing this package does nothing.
"""

from __future__ import annotations

from bootstrap.errors import AwsCallError, BootstrapError, ConfigError

__all__ = ["AwsCallError", "BootstrapError", "ConfigError"]
