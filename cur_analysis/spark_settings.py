"""Spark SQL settings every session that runs the job takes: the local session and the Glue job
set them, each at its edge (a notebook user can set them too: ``docs/notebook.md``).

- ``spark.sql.codegen.hugeMethodLimit`` 8000: a projection as wide as FOCUS's (60 columns of
  rules) compiles to one method past HotSpot's limit for JIT compilation (8000 bytes of
  bytecode), which then runs interpreted: a month of FOCUS 1.0 rows took 37 s instead of 4 s.
  At 8000, Spark falls back to evaluating such a projection itself, as Spark's own
  documentation of the setting advises on HotSpot.
- ``spark.sql.maxConcurrentOutputFileWriters`` 2: a task writes the partitions it holds with
  writers open side by side instead of sorting its rows by partition first; a task of a
  line-item dataset holds one period, so its sort was pure cost.
"""

from __future__ import annotations

from types import MappingProxyType

SQL_SETTINGS = MappingProxyType(
    {
        "spark.sql.codegen.hugeMethodLimit": "8000",
        "spark.sql.maxConcurrentOutputFileWriters": "2",
    }
)
