"""A local SparkSession shaped like the Glue 5 runtime, with its catalog under a home folder.

The home is locked by the run using it (``lock_home``): its Derby metastore takes one process at
a time, and a second run would otherwise fail after half a minute of Hive retries. The JVM's
output (Spark's log, Derby's and the JVM's own messages) goes to ``HOME/logs/spark.log``, not to
the terminal: a failure's one line names that file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from pyspark import SparkContext
from pyspark.sql import SparkSession

from cur_analysis.errors import HomeLockedError, OutputError
from cur_analysis.spark_settings import SQL_SETTINGS

HOME_ENV = "CUR_ANALYSIS_HOME"
DEFAULT_HOME = ".cur-analysis"
LOCK_FILE = "cur-analysis.lock"
_LOG_CONFIG = Path(__file__).with_name("log4j2.properties")
# Locks this process holds: home -> the open lock file (the kernel drops the lock at exit).
_HELD: dict[Path, int] = {}


def resolve_home(home: str | os.PathLike[str] | None = None) -> Path:
    """``--home``, else ``$CUR_ANALYSIS_HOME``, else ``./.cur-analysis``; made absolute."""
    chosen = home or os.environ.get(HOME_ENV) or DEFAULT_HOME
    return Path(chosen).expanduser().resolve()


def spark_log(home: str | os.PathLike[str] | None = None) -> Path:
    """Where the JVM of a local run writes its log (``HOME/logs/spark.log``)."""
    return resolve_home(home) / "logs" / "spark.log"


def _holder(lock: Path) -> str:
    text = lock.read_text(encoding="utf-8", errors="replace").strip() if lock.exists() else ""
    return text or "an unknown process"


def lock_home(home: str | os.PathLike[str] | None = None) -> Path:
    """Hold the home for this process (its PID and command in ``HOME/cur-analysis.lock``).

    A lock whose process is gone is free (the kernel releases an ``flock`` when its holder dies,
    ``kill -9`` included), so a stale lock file is simply taken over. Held again by the same
    process, it is a no-op.
    """
    root = resolve_home(home)
    if root in _HELD:
        return root
    try:
        root.mkdir(parents=True, exist_ok=True)
        handle = os.open(root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(
            f"cannot use the home {root}: {exc.strerror}; pass another --home"
        ) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(handle)
        raise HomeLockedError(
            f"the home {root} is in use by another run ({_holder(root / LOCK_FILE)}): wait for "
            "it to finish, or give this run its own --home"
        ) from None
    os.ftruncate(handle, 0)
    os.write(handle, f"pid {os.getpid()}: {' '.join(sys.argv)}\n".encode())
    _HELD[root] = handle
    return root


@contextlib.contextmanager
def _stderr_to(log: Path) -> Iterator[None]:
    """Point file descriptor 2 at ``log`` while the JVM starts: it inherits it for good, and
    this process gets its own stderr back."""
    log.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved = os.dup(2)
    target = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.dup2(target, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(target)


def local_spark(
    home: str | os.PathLike[str] | None = None,
    *,
    app_name: str = "cur-analysis",
    cores: int | None = None,
) -> SparkSession:
    """Build (or return the running) local SparkSession with a Derby metastore under ``home``.

    Everything Spark would write to the working directory (``metastore_db/``, ``derby.log``,
    ``spark-warehouse/``) goes under ``home`` instead, so runs are isolated and repeatable. The
    home is held for this process (``lock_home``): Derby takes one process at a time.

    Args:
        home: The folder of the catalog, the warehouse and Spark's log; None takes
            ``$CUR_ANALYSIS_HOME``, else ``./.cur-analysis``.
        app_name: Spark's application name.
        cores: Local cores for Spark; None takes them all.

    Returns:
        The session, its log level ERROR; the JVM's own output goes to ``HOME/logs/spark.log``.

    Raises:
        HomeLockedError: Another process holds the home.
        OutputError: The home cannot be created or written.
    """
    root = lock_home(home)
    # Python workers run this process's Python (a virtualenv's), not whatever ``python3`` is
    # first on PATH: Spark refuses a worker of another minor version. PySpark reads it here.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    java_options = f"-Dderby.system.home={root} -Dlog4j2.configurationFile={_LOG_CONFIG.as_uri()}"
    master = f"local[{cores}]" if cores else "local[*]"
    starting = SparkContext._active_spark_context is None
    redirect = _stderr_to(spark_log(root)) if starting else contextlib.nullcontext()
    with redirect:
        session = _build(app_name, master, root, java_options)
    session.sparkContext.setLogLevel("ERROR")
    return session


def _build(app_name: str, master: str, root: Path, java_options: str) -> SparkSession:
    builder = SparkSession.builder
    for key, value in SQL_SETTINGS.items():
        builder = builder.config(key, value)
    return (
        builder.appName(app_name)
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
        # Off locally: with 4 shuffle partitions there is nothing for it to coalesce, and it runs
        # each shuffle stage as a Spark job of its own (why: docs/decisions/0004-adaptive-
        # execution-off-locally.md). Glue keeps its own default (on).
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", "4g")
        .enableHiveSupport()
        .getOrCreate()
    )
