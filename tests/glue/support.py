"""Tests that need the Glue jars (a real ``GlueContext``): they run inside the AWS Glue 5 image.

Outside it the whole folder is skipped with that reason. The check is cheap and starts no JVM:
the Dockerfile sets ``CUR_ANALYSIS_GLUE_CONTAINER=1`` (then the tests run, and fail loudly if the
image lacks the jars); elsewhere the jars on Spark's class path (``$SPARK_HOME/jars`` and
``spark.driver.extraClassPath`` of ``spark-defaults.conf``) are searched for Glue's GlueContext.
"""

from __future__ import annotations

import glob
import os
import zipfile
from pathlib import Path

CONTAINER_ENV = "CUR_ANALYSIS_GLUE_CONTAINER"
GLUE_CLASS = "com/amazonaws/services/glue/GlueContext.class"
SKIP_REASON = (
    "needs the Glue jars (awsglue.context.GlueContext cannot be constructed here); "
    "runs only inside the Glue 5 container: make docker-test"
)


def _class_path() -> list[str]:
    spark_home = os.environ.get("SPARK_HOME")
    entries = [f"{spark_home}/jars/*"] if spark_home else []
    conf_dir = os.environ.get("SPARK_CONF_DIR") or (f"{spark_home}/conf" if spark_home else None)
    defaults = Path(conf_dir, "spark-defaults.conf") if conf_dir else None
    if defaults is not None and defaults.is_file():
        for line in defaults.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.strip().partition(" ")
            if key == "spark.driver.extraClassPath":
                entries.extend(value.strip().split(":"))
    return entries


def glue_unavailable() -> str | None:
    """``None`` when a GlueContext can be built here, else the reason to skip."""
    if os.environ.get(CONTAINER_ENV) == "1":
        return None
    try:
        import awsglue.context  # noqa: F401
    except ImportError:
        return SKIP_REASON
    for entry in _class_path():
        for jar in glob.glob(entry if entry.endswith((".jar", "*")) else f"{entry}/*"):
            if not jar.endswith(".jar"):
                continue
            try:
                with zipfile.ZipFile(jar) as archive:
                    archive.getinfo(GLUE_CLASS)
                return None
            except (KeyError, OSError, zipfile.BadZipFile):
                continue
    return SKIP_REASON
