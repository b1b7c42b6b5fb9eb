"""The report's numbers equal the datasets' (summed with pandas), and missing pieces are named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from cur_analysis import columns as c
from cur_analysis.cli import main
from cur_analysis.datasets.registry import (
    ACCOUNT_MONTHLY,
    DAILY_COST,
    SAVINGS_MONTHLY,
    SERVICE_MONTHLY,
    TAG_MONTHLY,
)
from cur_analysis.errors import InvalidInputError, MissingPeriodError
from cur_analysis.periods import BillingPeriod
from cur_analysis.report.build import build_report, write_report, write_run_reports
from cur_analysis.report.load import CatalogTableSource, ParquetFolderSource

from ..support import GENERATED_DATASETS_DATABASE as REPORT_DATABASE
from .support import dataset, embedded_data, publish_by_hand, shown_numbers

MAY = BillingPeriod(2024, 5)
HEADLINE = (c.AMORTIZED, c.UNBLENDED, c.NET_AMORTIZED, c.NET_UNBLENDED)


def _shown(numbers: dict[str, tuple[str, str]], key: str) -> float:
    value, _ = numbers[key]
    return float(value)


def _assert_money(numbers: dict[str, tuple[str, str]], key: str, expected: float) -> None:
    value, text = numbers[key]
    assert float(value) == pytest.approx(expected, rel=1e-9, abs=1e-9), key
    assert text == f"{expected:,.2f}", key


@pytest.fixture(scope="module")
def may_report(report_output: Path) -> str:
    html, _ = build_report(ParquetFolderSource(str(report_output)), MAY)
    return html


def test_headline_figures_equal_the_datasets_sums(may_report, report_output, report_run) -> None:
    numbers = shown_numbers(may_report)
    accounts, previous = (
        dataset(report_output, ACCOUNT_MONTHLY.name, p) for p in ("2024-05", "2024-04")
    )
    for measure in HEADLINE:
        expected = float(accounts[measure].sum())
        _assert_money(numbers, f"headline.{measure}", expected)
        # the job's own totals (Spark, from the CUR rows) agree as well
        assert expected == pytest.approx(report_run.totals["2024-05"][measure], rel=1e-9)
        change = expected - float(previous[measure].sum())
        value, text = numbers[f"headline.{measure}.change"]
        assert float(value) == pytest.approx(change, rel=1e-9)
        assert text.replace("\u2212", "-") == f"{change:+,.2f} USD"
    savings = dataset(report_output, SAVINGS_MONTHLY.name, "2024-05")
    _assert_money(numbers, "headline.savings", float(savings[c.SAVINGS].sum()))


def test_services_accounts_and_movers_equal_the_monthly_datasets(may_report, report_output) -> None:
    numbers = shown_numbers(may_report)
    services = dataset(report_output, SERVICE_MONTHLY.name, "2024-05")
    assert len(services) > 3
    for row in services.itertuples():
        _assert_money(numbers, f"service.{row.service}.amortized", row.amortized_cost)
        _assert_money(numbers, f"service.{row.service}.previous", row.previous_amortized_cost)
        assert _shown(numbers, f"service.{row.service}.change") == pytest.approx(
            row.amortized_change, rel=1e-9
        )
    accounts = dataset(report_output, ACCOUNT_MONTHLY.name, "2024-05")
    for row in accounts.itertuples():
        _assert_money(numbers, f"account.{row.usage_account_id}.amortized", row.amortized_cost)
        assert _shown(numbers, f"account.{row.usage_account_id}.share") == pytest.approx(
            row.share_of_total_amortized, rel=1e-9
        )
    top = services.reindex(services[c.AMORTIZED_CHANGE].abs().sort_values(ascending=False).index)
    movers = [m for m in embedded_data(may_report)["movers"] if m["kind"] == c.SERVICE]
    assert [m["name"] for m in movers] == list(top[c.SERVICE][:5])


def test_daily_stack_sums_to_daily_cost_per_day(may_report, report_output) -> None:
    daily = dataset(report_output, DAILY_COST.name, "2024-05")
    per_day = daily.groupby(daily[c.USAGE_DATE].astype(str))[c.AMORTIZED].sum()
    data = embedded_data(may_report)["daily"]
    assert data["dates"] == list(per_day.index)
    stacked = [sum(values[i] for _, values in data["series"]) for i in range(len(data["dates"]))]
    assert stacked == pytest.approx(list(per_day), rel=1e-9)
    assert len(data["series"]) == 7 and data["series"][-1][0] == "Other services"
    _assert_money(shown_numbers(may_report), "daily.total", float(daily[c.AMORTIZED].sum()))


def test_savings_and_tag_coverage_equal_the_datasets(may_report, report_output) -> None:
    numbers = shown_numbers(may_report)
    s = dataset(report_output, SAVINGS_MONTHLY.name, "2024-05").sum(numeric_only=True)
    covered = s[c.RI_COVERED] + s[c.SP_COVERED]
    assert _shown(numbers, "savings.coverage") == pytest.approx(covered / s[c.ELIGIBLE], rel=1e-9)
    assert _shown(numbers, "savings.ri_utilization") == pytest.approx(
        s[c.RI_USED] / s[c.RI_TOTAL], rel=1e-9
    )
    assert _shown(numbers, "savings.sp_utilization") == pytest.approx(
        s[c.SP_USED] / s[c.SP_TOTAL], rel=1e-9
    )
    assert numbers["savings.sp_utilization"][1] == (
        f"{100 * s['sp_used_commitment'] / s['sp_total_commitment']:.1f}%"
    )
    tags = dataset(report_output, TAG_MONTHLY.name, "2024-05")
    for key, rows in tags.groupby(c.TAG_KEY):
        tagged = rows.loc[rows[c.TAG_VALUE].notna(), c.AMORTIZED].sum()
        expected = tagged / rows[c.AMORTIZED].sum()
        assert _shown(numbers, f"tag.{key}.coverage") == pytest.approx(expected, rel=1e-9)
        _assert_money(numbers, f"tag.{key}.tagged_amortized", float(tagged))


def test_report_is_self_contained_with_labelled_real_charts(may_report) -> None:
    assert "<script" not in may_report.replace('<script type="application/json"', "")
    for fetch in ("src=", "<link", "@import", "url(http", 'href="http'):
        assert fetch not in may_report, fetch
    assert may_report.count('class="chart"') == 6  # daily, services, accounts, movers, RI/SP, tags
    assert "Daily amortized cost by service, 2024-05 (USD)" in may_report
    assert "Cost by service, 2024-05 vs 2024-04" in may_report
    assert "Amortized cost (USD)" in may_report
    assert "How these numbers are computed" in may_report and "EffectiveCost" in may_report
    assert "What is absent" not in may_report
    # The generator writes no invoice ids: the header says the month is still open.
    assert "2024-05 is open: some line items carry no invoice id yet" in may_report


def _copy_may(report_output: Path, target: Path, names: tuple[str, ...]) -> None:
    for name in names:
        partition = Path(name) / "year=2024" / "month=5"
        shutil.copytree(report_output / partition, target / partition)


def _rewrite(folder: Path, name: str, change) -> None:
    """Replace one written May version by ``change(frame)`` (a hand-made variant of it)."""
    (partition,) = (folder / name / "year=2024" / "month=5").glob("run=*")
    frame = change(pd.read_parquet(partition))
    shutil.rmtree(partition)
    partition.mkdir(parents=True)
    frame.to_parquet(partition / "part-0.parquet", index=False)


def test_no_previous_period_anywhere_and_no_savings_plans(report_output, tmp_path) -> None:
    """As for the CUR's first month: change columns null, no Savings Plan lines at all."""
    only = tmp_path / "first-month"
    _copy_may(report_output, only, (DAILY_COST.name, ACCOUNT_MONTHLY.name, SERVICE_MONTHLY.name))
    _copy_may(report_output, only, (TAG_MONTHLY.name, SAVINGS_MONTHLY.name))
    no_change = {c.PREVIOUS_AMORTIZED: None, c.AMORTIZED_CHANGE: None}
    no_change[c.AMORTIZED_CHANGE_RATIO] = None
    for name in (ACCOUNT_MONTHLY.name, SERVICE_MONTHLY.name):
        _rewrite(only, name, lambda f: f.assign(**{k: float("nan") for k in no_change}))
    sp = (c.SP_COVERED, c.SP_USED, c.SP_TOTAL)
    _rewrite(
        only,
        SAVINGS_MONTHLY.name,
        lambda f: f.assign(**{k: 0.0 for k in sp}, sp_utilization=float("nan")),
    )
    publish_by_hand(only, MAY)
    html, figures = build_report(ParquetFolderSource(str(only)), MAY)
    assert not figures.previous_written and figures.movers == ()
    assert all(f.change is None for f in figures.headline)
    assert all(row.change is None for row in figures.services)
    assert "no 2024-04 datasets" in html and "No Savings Plans in 2024-05" in html
    assert "n/a (none in period)" in html
    assert shown_numbers(html)["savings.sp_utilization"][0] == ""
    assert shown_numbers(html)["savings.ri_utilization"][0] != ""
    assert "the previous period 2024-04 is not in the CUR table" in html


def test_previous_period_not_written_and_no_tags(report_output, tmp_path) -> None:
    partial = tmp_path / "partial"
    for name in (DAILY_COST.name, ACCOUNT_MONTHLY.name, SERVICE_MONTHLY.name, SAVINGS_MONTHLY.name):
        shutil.copytree(
            report_output / name / "year=2024" / "month=5", partial / name / "year=2024" / "month=5"
        )
    publish_by_hand(partial, MAY)
    html, figures = build_report(ParquetFolderSource(str(partial)), MAY)
    assert not figures.previous_written and figures.tags == ()
    assert "No datasets for the previous period 2024-04" in html
    assert "No user cost allocation tags in 2024-05" in html
    # service and account changes still come from the job's change columns
    assert figures.movers and all(row.change is not None for row in figures.services)


def test_missing_period_names_the_periods_present(report_output) -> None:
    with pytest.raises(
        MissingPeriodError,
        match=r"no datasets for 2024-06 \(periods present: 2024-03, 2024-04, 2024-05\)",
    ):
        build_report(ParquetFolderSource(str(report_output)), BillingPeriod(2024, 6))


def test_catalog_tables_give_the_same_figures(spark, report_output) -> None:
    _, from_tables = build_report(CatalogTableSource(spark, REPORT_DATABASE), MAY)
    _, from_folder = build_report(ParquetFolderSource(str(report_output)), MAY)
    tables, folder = from_tables.as_json_data(), from_folder.as_json_data()
    assert tables.pop("source") != folder.pop("source")
    assert tables["notes"] == folder["notes"] == ()
    for a, b in zip(tables["headline"], folder["headline"], strict=True):
        assert a["key"] == b["key"] and a["value"] == pytest.approx(b["value"], rel=1e-9)
    assert [r["name"] for r in tables["services"]] == [r["name"] for r in folder["services"]]
    assert tables["daily"]["dates"] == folder["daily"]["dates"]


def test_cli_report_writes_the_file_without_spark(
    report_output, tmp_path, capsys, monkeypatch
) -> None:
    import cur_analysis.local.session as session

    def no_spark(*args, **kwargs):
        raise AssertionError("Spark started for a folder report")

    monkeypatch.setattr(session, "local_spark", no_spark)
    target = tmp_path / "mail" / "may.html"
    code = main(
        ["report", "--output", str(report_output), "--period", "2024-05", "--html", str(target)]
    )
    out = capsys.readouterr().out
    assert code == 0 and target.is_file()
    assert f"report 2024-05: {target}" in out
    assert "Cost by account" in target.read_text()
    assert main(["report", "--output", str(report_output), "--period", "2024-05"]) == 0
    assert (report_output / "reports" / "cur-report-2024-05.html").is_file()


def test_cli_report_of_an_unwritten_period_is_one_line_exit_3(report_output, capsys) -> None:
    code = main(["report", "--output", str(report_output), "--period", "2023-01"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 3 and len(err) == 1
    assert err[0].startswith("cur-analysis: error: ") and "no datasets for 2023-01" in err[0]


class _FakeS3:
    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], tuple[bytes, str]] = {}

    def put_object(self, *, Bucket: str, Key: str, Body: bytes, ContentType: str) -> dict:  # noqa: N803
        self.objects[(Bucket, Key)] = (Body, ContentType)
        return {}


def test_reports_after_a_run_to_a_folder_and_to_s3(report_run, tmp_path) -> None:
    lines = write_run_reports(report_run, str(tmp_path / "reports"))
    assert [Path(line.split()[2]).name for line in lines] == [
        "cur-report-2024-03.html",
        "cur-report-2024-04.html",
        "cur-report-2024-05.html",
    ]
    s3 = _FakeS3()
    lines = write_run_reports(report_run, "s3://bucket/reports/latest.html", lambda: s3)
    assert len(lines) == 1 and lines[0].startswith(
        "report 2024-05: s3://bucket/reports/latest.html"
    )
    body, content_type = s3.objects[("bucket", "reports/latest.html")]
    assert content_type == "text/html; charset=utf-8" and b"AWS cost report" in body


def test_write_report_rejects_other_schemes() -> None:
    with pytest.raises(InvalidInputError, match="local path or s3://"):
        write_report("<html></html>", "gs://bucket/r.html")
    with pytest.raises(InvalidInputError, match="not an S3 object URI"):
        write_report("<html></html>", "s3://bucket/", _FakeS3())


def test_a_report_to_s3_takes_its_client_from_the_caller(report_run, monkeypatch) -> None:
    """The library makes no S3 client itself: without one from the edge it says so."""
    import boto3

    monkeypatch.setattr(boto3, "client", lambda *a, **k: pytest.fail("client made inside"))
    with pytest.raises(InvalidInputError, match="needs an S3 client"):
        write_run_reports(report_run, "s3://bucket/reports/latest.html")
