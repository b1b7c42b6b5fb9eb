"""A local SparkSession shaped like the Glue 5 runtime, with its catalog under a home folder."""

from __future__ import annotations

import os
from pathlib import Path

from pyspark.sql import SparkSession

HOME_ENV = "CUR_ANALYSIS_HOME"
DEFAULT_HOME = ".cur-analysis"
_LOG_CONFIG = Path(__file__).with_name("log4j2.properties")


def resolve_home(home: str | os.PathLike[str] | None = None) -> Path:
    """``--home``, else ``$CUR_ANALYSIS_HOME``, else ``./.cur-analysis``; made absolute."""
    chosen = home or os.environ.get(HOME_ENV) or DEFAULT_HOME
    return Path(chosen).expanduser().resolve()


def local_spark(
    home: str | os.PathLike[str] | None = None,
    *,
    app_name: str = "cur-analysis",
    cores: int | None = None,
) -> SparkSession:
    """Build (or return the running) local SparkSession with a Derby metastore under ``home``.

    Everything Spark would write to the working directory (``metastore_db/``, ``derby.log``,
    ``spark-warehouse/``) goes under ``home`` instead, so runs are isolated and repeatable.
    """
    root = resolve_home(home)
    root.mkdir(parents=True, exist_ok=True)
    java_options = f"-Dderby.system.home={root} -Dlog4j2.configurationFile={_LOG_CONFIG.as_uri()}"
    master = f"local[{cores}]" if cores else "local[*]"
    session = (
        SparkSession.builder.appName(app_name)
        .master(master)
        .config("spark.sql.warehouse.dir", str(root / "warehouse"))
        .config(
            "spark.hadoop.javax.jdo.option.ConnectionURL",
            f"jdbc:derby:;databaseName={root / 'metastore_db'};create=true",
        )
        .config("spark.driver.extraJavaOptions", java_options)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "4g")
        .enableHiveSupport()
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session
