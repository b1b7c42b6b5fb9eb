"""Every failure is one ``cur-analysis: error:`` line with its class's exit code, and changes
nothing: incomplete or malformed source months, unusable outputs, a held home, Spark failures.

The source cases share one published output (a good run of May); each bad run must leave its
files, manifests and catalog exactly as they were.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cur_analysis import columns as c
from cur_analysis.cli import main
from cur_analysis.datasets.registry import ACCOUNT_MONTHLY, DAILY_COST
from cur_analysis.errors import SourceDataError
from cur_analysis.local import catalog
from cur_analysis.local.reader import LocalCatalogReader
from cur_analysis.local.session import LOCK_FILE, lock_home, spark_log
from cur_analysis.periods import BillingPeriod
from cur_analysis.pipeline import RunConfig, run
from cur_analysis.report.load import ParquetFolderSource

MAY = BillingPeriod(2024, 5)
CHOSEN = (DAILY_COST.name, ACCOUNT_MONTHLY.name)


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` with its size and modification time."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _one_error(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("cur-analysis: error: ")
    return err[0]


@pytest.fixture(scope="module")
def published(spark, generated_catalog, tmp_path_factory) -> Path:
    """May of the generated source, published (the output the bad runs must not touch)."""
    output = tmp_path_factory.mktemp("published-may")
    config = RunConfig(*generated_catalog, ("2024-05",), str(output), datasets=CHOSEN)
    run(LocalCatalogReader(spark), config)
    return output


def _variant(spark, generated_export: Path, tmp_path: Path, table: str, change) -> None:
    """A copy of the generated export whose May file ``change(path)`` rewrites, registered as
    ``bad_org.<table>``."""
    export = tmp_path / table
    shutil.copytree(generated_export, export)
    (may_file,) = (export / "year=2024" / "month=5").glob("*.parquet")
    change(may_file)
    catalog.register(spark, export, "bad_org", table)


def _run_bad(spark_home: Path, table: str, output: Path, *extra: str) -> int:
    return main(
        ["--home", str(spark_home), "run", "--database", "bad_org", "--table", table]
        + ["--period", "2024-05", "--output", str(output), "--datasets", ",".join(CHOSEN), *extra]
    )


def _register(spark_home: Path, export: Path, table: str) -> int:
    argv = ["--home", str(spark_home), "catalog", "register", "--path", str(export)]
    return main([*argv, "--database", "bad_org", "--table", table])


def _without_line_item_type(path: Path) -> None:
    table = pq.read_table(path)
    pq.write_table(table.drop_columns([c.LINE_ITEM_TYPE]), path)


def _schema_only(path: Path) -> None:
    pq.write_table(pq.read_table(path).slice(0, 0), path)


def _corrupt(path: Path) -> None:
    path.write_bytes(b"PAR1 this is not a parquet file")


def test_a_month_without_a_required_column_is_refused_naming_it(
    spark, spark_home, generated_export, published, tmp_path, capsys
) -> None:
    _variant(spark, generated_export, tmp_path, "no_type", _without_line_item_type)
    before = _tree(published)
    assert _run_bad(spark_home, "no_type", published) == SourceDataError.exit_code
    line = _one_error(capsys)
    assert "the 2024-05 export lacks the column line_item_line_item_type" in line
    assert _tree(published) == before


def test_a_partition_without_line_items_is_refused_unless_allowed(
    spark, spark_home, generated_catalog, generated_export, tmp_path, capsys
) -> None:
    _variant(spark, generated_export, tmp_path, "empty_may", _schema_only)
    output = tmp_path / "out"
    good = RunConfig(*generated_catalog, ("2024-05",), str(output), datasets=CHOSEN)
    run(LocalCatalogReader(spark), good)
    before = _tree(output)
    assert _run_bad(spark_home, "empty_may", output) == SourceDataError.exit_code
    line = _one_error(capsys)
    assert "the partition 2024-05 of bad_org.empty_may at file:" in line
    assert "yields no line items" in line and "--allow-empty-period" in line
    assert _tree(output) == before

    assert _run_bad(spark_home, "empty_may", output, "--allow-empty-period") == 0
    capsys.readouterr()
    source = ParquetFolderSource(str(output))
    assert source.manifest(MAY).empty
    assert all(source.read(name, MAY) is None for name in CHOSEN)  # the old rows are gone
    assert not list(output.glob("*/year=2024/month=5/run=*/*.parquet"))


def test_a_corrupt_file_is_refused_naming_it_before_anything_is_replaced(
    spark, spark_home, generated_export, published, tmp_path, capsys
) -> None:
    export = tmp_path / "corrupt"
    shutil.copytree(generated_export, export)
    catalog.register(spark, export, "bad_org", "corrupt")
    (may_file,) = (export / "year=2024" / "month=5").glob("*.parquet")
    _corrupt(may_file)  # after registering: the crawler saw a good file
    before = _tree(published)
    assert _run_bad(spark_home, "corrupt", published) == SourceDataError.exit_code
    line = _one_error(capsys)
    assert f"{may_file} is not a readable Parquet file" in line
    assert _tree(published) == before
    # registering it again names the file too
    assert _register(spark_home, export, "corrupt") == SourceDataError.exit_code
    assert f"{may_file} is not a readable Parquet file" in _one_error(capsys)


def test_a_column_typed_irreconcilably_between_months_is_refused_naming_it(
    spark, spark_home, generated_export, tmp_path, capsys
) -> None:
    export = tmp_path / "nested"
    shutil.copytree(generated_export, export)
    (may_file,) = (export / "year=2024" / "month=5").glob("*.parquet")
    table = pq.read_table(may_file)
    index = table.schema.get_field_index(c.USAGE_TYPE)
    nested = pa.array([[value] for value in table.column(index).to_pylist()])
    pq.write_table(table.set_column(index, c.USAGE_TYPE, nested), may_file)
    code = _register(spark_home, export, "nested")
    assert code == SourceDataError.exit_code
    line = _one_error(capsys)
    assert f"column {c.USAGE_TYPE} is typed list<" in line  # pyarrow names the item
    assert "string> in 2024-05; string in 2024-03, 2024-04, which cannot be conformed" in line
    assert not spark.catalog.tableExists("bad_org.nested")


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("", "the output location is empty"),
        ("s3://bucket/datasets", "a local run writes to a local folder only"),
        ("FILE", "is a file, not a folder"),
        ("FILE/below", "is a file"),
    ],
)
def test_an_unusable_output_is_refused_before_spark(tmp_path, capsys, output, expected) -> None:
    (tmp_path / "FILE").write_text("x")
    given = output.replace("FILE", str(tmp_path / "FILE"))
    home = tmp_path / "home"
    code = main(["--home", str(home), "run", "--period", "2024-05", "--output", given])
    assert code == 5
    assert expected in _one_error(capsys)
    assert not home.exists()  # refused before the home (and Spark) was touched


def test_a_read_only_partition_folder_is_refused_before_writing(
    spark, generated_catalog, published, monkeypatch
) -> None:
    from cur_analysis.errors import OutputError

    locked = published / DAILY_COST.name / "year=2024" / "month=5"
    real_access = os.access
    monkeypatch.setattr(  # as root every folder is writable: stand in for chmod 555
        "cur_analysis.io.stores.os.access",
        lambda path, mode: Path(path) != locked and real_access(path, mode),
    )
    before = _tree(published)
    config = RunConfig(
        *generated_catalog, ("2024-05",), str(published), datasets=CHOSEN, force=True
    )  # published and unchanged: only a forced run writes
    with pytest.raises(OutputError, match=f"cannot write to {locked}: the folder is not writable"):
        run(LocalCatalogReader(spark), config)
    assert _tree(published) == before


def test_datasets_naming_nothing_is_one_line(tmp_path, capsys) -> None:
    code = main(
        [
            "--home",
            str(tmp_path),
            "run",
            "--period",
            "2024-05",
            "--output",
            str(tmp_path / "o"),
            "--datasets",
            ",",
        ]
    )
    assert code == 1
    assert "--datasets ',' names no dataset" in _one_error(capsys)


def test_generate_refuses_too_few_rows_up_front(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["generate", "--output", str(tmp_path), "--rows-per-month", "100"])
    assert exit_info.value.code == 2
    assert "the generator needs at least 200 line items per month" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_a_held_home_is_refused_at_once_naming_the_holder(tmp_path, capsys) -> None:
    home = tmp_path / "home"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom cur_analysis.local.session import lock_home\n"
            f"lock_home({str(home)!r}); print('held', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        code = main(["--home", str(home), "catalog", "link"])
        line = _one_error(capsys)
    finally:
        holder.kill()
        holder.wait()
    assert code == 6
    assert f"the home {home} is in use by another run (pid {holder.pid}:" in line


def test_a_stale_lock_is_taken_over(tmp_path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    (home / LOCK_FILE).write_text(f"pid {dead.stdout.strip()}: cur-analysis run\n")
    assert lock_home(home) == home.resolve()
    assert (home / LOCK_FILE).read_text().startswith(f"pid {os.getpid()}: ")


def test_a_spark_failure_is_one_line_naming_the_log_and_debug_adds_the_trace(
    spark, spark_home, generated_catalog, tmp_path, capsys, monkeypatch
) -> None:
    def failing(reader, config, **_):
        spark.sql("select raise_error('disk on fire')").collect()

    monkeypatch.setattr("cur_analysis.pipeline.run", failing)
    argv = [
        "--home",
        str(spark_home),
        "run",
        "--database",
        generated_catalog[0],
        "--period",
        "2024-05",
        "--output",
        str(tmp_path / "out"),
    ]
    assert main(argv) == 7
    line = _one_error(capsys)
    assert "Spark failed: " in line and "disk on fire" in line
    assert f"its log is {spark_log(spark_home)}" in line
    assert main([*argv, "--debug"]) == 7
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert err.strip().splitlines()[-1].startswith("cur-analysis: error: Spark failed")
    assert spark_log(spark_home).is_file()  # the JVM's own output went there, not to stderr


def test_an_unexpected_failure_is_one_line_too(monkeypatch, tmp_path, capsys) -> None:
    def broken(args):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("cur_analysis.cli._generate", broken)
    assert main(["generate", "--output", str(tmp_path)]) == 8
    line = _one_error(capsys)
    assert "unexpected ZeroDivisionError: division by zero" in line and "--debug" in line


def test_register_never_drops_the_working_table_before_its_replacement(
    spark, generated_export, tmp_path, monkeypatch
) -> None:
    catalog.register(spark, generated_export, "swap_org", "legacy_all")
    catalog.link(spark, "swap_org_linked", "swap_org")
    count = spark.table("swap_org_linked.legacy_all").count()

    def killed(spark_, staged, table):
        raise KeyboardInterrupt  # dies after building the replacement, before swapping it in

    monkeypatch.setattr("cur_analysis.local.catalog._swap_in", killed)
    with pytest.raises(KeyboardInterrupt):
        catalog.register(spark, generated_export, "swap_org", "legacy_all")
    assert spark.table("swap_org_linked.legacy_all").count() == count  # still there, linked
    monkeypatch.undo()
    catalog.register(spark, generated_export, "swap_org", "legacy_all")
    assert spark.table("swap_org_linked.legacy_all").count() == count
    names = {t.name for t in spark.catalog.listTables("swap_org")}
    assert names == {"legacy_all"}
