"""The FinOps Foundation's tools, run in subprocesses from their own virtualenvs (``make test``
builds them from ``constraints/focus-*.txt``), and the files they read and write."""

from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ..support import PROJECT

T = TypeVar("T")
VALIDATOR_VENV = PROJECT / ".venv-focus-validator"
CONVERTER_VENV = PROJECT / ".venv-focus-converter"
DRIVER = Path(__file__).with_name("converter_driver.py")
# focus-validator 2.2.1 (FOCUS 1.2) in the virtualenv ``make test`` makes from a Python >= 3.12
# (PYTHON_FOCUS), where it finds one.
VALIDATOR_1_2_VENV = PROJECT / ".venv-focus-validator-2.2"
NO_VALIDATOR_1_2 = (
    "focus-validator 2.2.1 (FOCUS 1.2) needs Python >= 3.12 and make found none: install "
    "python3.12 or python3.13 (or pass PYTHON_FOCUS=/path/to/python3.12) and rerun make test"
)
MODEL_1_2 = "1.2.0.1"
CHECKS_1_2 = 578
# What AWS supports, as the validator's applicability criteria, so the rules they gate run too.
# Left out, each for a reason: the CUR has one type of sub account (linked) and of billing
# account (payer), assigns no resource types and prices in no virtual currency.
APPLICABILITY = (
    "ACCOUNT_NAMING_SUPPORTED",
    "AVAILABILITY_ZONE_SUPPORTED",
    "BILLING_BASED_ON_PROVISIONED_RESOURCES_SUPPORTED",
    "CAPACITY_RESERVATION_SUPPORTED",
    "COMMITMENT_DISCOUNT_SUPPORTED",
    "MULTIPLE_PRICING_CATEGORIES_SUPPORTED",
    "NEGOTIATED_PRICING_SUPPORTED",
    "PRICING_BILLING_CURRENCY_DIFFERENCES_SUPPORTED",
    "PUBLIC_PRICE_LIST_SUPPORTED",
    "REGION_SUPPORTED",
    "SUB_ACCOUNT_SUPPORTED",
    "TAGGING_SUPPORTED",
    "UNIT_PRICING_SUPPORTED",
    "USAGE_MEASUREMENT_SUPPORTED",
)

# focus-validator 1.0.0's "1.0" rule set still names four columns as FOCUS 1.0-preview did;
# FOCUS 1.0 renamed them (spec 1.0, column list). The validator gets a copy with its names, so
# its rules run over our columns instead of failing "column required" on a spelling.
VALIDATOR_NAMES = {
    "ResourceId": "ResourceID",
    "InvoiceIssuerName": "InvoiceIssuer",
    "ProviderName": "Provider",
    "PublisherName": "Publisher",
}
# ...and its SkuPriceId_Nullable query reads ChargeType, the 1.0-preview name of ChargeCategory:
# the copy carries ChargeCategory under that name too, so the rule checks our values.
VALIDATOR_ALIASES = {"ChargeType": "ChargeCategory"}


def _tool(venv: Path, script: str) -> Path:
    path = venv / "bin" / script
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make test` (it builds {venv.name})")
    return path


def validator_copy(table: pa.Table, target: Path) -> Path:
    """``table`` as the Parquet file the validator reads (its column names, no partition keys)."""
    table = table.drop_columns([name for name in ("year", "month") if name in table.column_names])
    table = table.rename_columns([VALIDATOR_NAMES.get(n, n) for n in table.column_names])
    for alias, name in VALIDATOR_ALIASES.items():
        table = table.append_column(alias, table.column(name))
    pq.write_table(table, target)
    return target


def validator_1_2_installed() -> bool:
    return (VALIDATOR_1_2_VENV / ".installed").exists()


def validator_1_2_site() -> Path:
    """focus-validator 2.2.1's site-packages folder; the test is skipped, with one line saying
    what to install, where ``make test`` found no Python to make its virtualenv."""
    if not validator_1_2_installed():
        pytest.skip(NO_VALIDATOR_1_2)
    return next((VALIDATOR_1_2_VENV / "lib").glob("python3*/site-packages"))


def validator_copy_1_2(table: pa.Table, folder: Path) -> Path:
    """``table`` as the file focus-validator 2.2.1 reads, in ``folder``: no partition keys, and
    the map columns (Tags, SkuPriceDetails, x_Discounts) as the JSON object text of FOCUS's
    Key-Value Format, keys sorted."""
    table = table.drop_columns(
        [n for n in ("year", "month", "run", "billing_period") if n in table.column_names]
    )
    columns = [
        pa.array(
            [None if v is None else json.dumps(dict(v), sort_keys=True) for v in col.to_pylist()],
            pa.string(),
        )
        if pa.types.is_map(col.type)
        else col
        for col in table.columns
    ]
    data = folder / "focus.parquet"
    pq.write_table(pa.table(columns, names=table.column_names), data)
    return data


@dataclass
class Running(Generic[T]):
    """A tool started in the background (it reads files, not Spark): the test that needs its
    answer waits for it, so the tool's start-up and checks overlap the Spark runs before it."""

    process: subprocess.Popen
    log: Path
    read: Callable[[], T]

    def result(self, timeout: float = 600) -> T:
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise
        if self.process.returncode != 0:
            tail = self.log.read_text(errors="replace")[-3000:]
            pytest.fail(f"{self.process.args[0]} exited {self.process.returncode}:\n{tail}")
        return self.read()

    def stop(self) -> None:
        """Kill the tool if no test waited for it (a deselected test)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@dataclass(frozen=True)
class Missing:
    """An optional tool ``make`` could not install: a test that waits for its answer is
    skipped, with the one line that says what to install."""

    reason: str

    def result(self, timeout: float = 600) -> None:
        pytest.skip(self.reason)

    def stop(self) -> None:
        """Nothing runs."""


def _start(
    command: list[str], log: Path, read: Callable[[], T], cwd: Path | None = None
) -> Running[T]:
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT)
    return Running(process, log, read)


def start_validator(data: Path, report: Path) -> Running[dict[str, str]]:  # FOCUS 1.0
    """Start focus-validator 1.0.0 (FOCUS 1.0 rules) over ``data``; its result maps each failed
    rule to the failure message.

    It exits 0 whatever it finds, so the JUnit XML is read. It loads its currency code list
    from the relative path ``focus_validator/utils/currency_codes.csv``: it runs from its
    site-packages folder, or BillingCurrency_IsCurrencyCode fails on every row.
    """
    site = next((VALIDATOR_VENV / "lib").glob("python3*/site-packages"))
    command = [
        str(_tool(VALIDATOR_VENV, "focus-validator")),
        "--data-file",
        str(data),
        "--validate-version",
        "1.0",
        "--output-type",
        "unittest",
        "--output-destination",
        str(report),
    ]
    return _start(command, report.with_suffix(".log"), lambda: _failed_rules(report), cwd=site)


@dataclass(frozen=True)
class Validation12:
    """focus-validator 2.2.1's answer: checks run, passed, failed, skipped (not applicable)."""

    tests: int
    failed: tuple[str, ...]
    skipped: int

    @property
    def passed(self) -> int:
        return self.tests - len(self.failed) - self.skipped


def _outcomes(report: Path) -> Validation12:
    suites = ET.parse(report).getroot()
    failed = tuple(
        sorted(
            case.get("name", "").split(" ::")[0]
            for case in suites.iter("testcase")
            if any(True for _ in [*case.iter("failure"), *case.iter("error")])
        )
    )
    return Validation12(int(suites.get("tests", 0)), failed, int(suites.get("skipped", 0)))


def start_validator_1_2(data: Path) -> Running[Validation12] | Missing:
    """Start focus-validator 2.2.1 (model 1.2.0.1) over ``data``; its result counts the checks
    by outcome and names the failed ones (``Validation12``). Run from its site-packages folder
    (it loads its currency codes by a relative path), offline (``--block-download``)."""
    if not validator_1_2_installed():
        return Missing(NO_VALIDATOR_1_2)
    site = validator_1_2_site()
    report = data.with_name("report.xml")
    command = [
        str(_tool(VALIDATOR_1_2_VENV, "focus-validator")),
        "--data-file",
        str(data),
        "--validate-version",
        MODEL_1_2,
        "--block-download",
        "--applicability-criteria",
        ",".join(APPLICABILITY),
        "--output-type",
        "unittest",
        "--output-destination",
        str(report),
    ]
    return _start(command, data.with_name("validator.log"), lambda: _outcomes(report), cwd=site)


def _failed_rules(report: Path) -> dict[str, str]:
    suites = ET.parse(report).getroot()
    assert int(suites.get("tests")) == 133, "the FOCUS 1.0 rule set of focus-validator 1.0.0"
    return {
        case.get("name"): problem.get("message", "")
        for case in suites.iter("testcase")
        for problem in [*case.iter("failure"), *case.iter("error")]
    }


def start_converter(
    provider: str, data_format: str, source: Path, target: Path
) -> Running[pa.Table]:
    """Start focus-converter 1.0.0's conversion of ``source`` (``converter_driver.py``); its
    result is the converted table."""
    python = _tool(CONVERTER_VENV, "python")
    command = [str(python), str(DRIVER), provider, data_format, str(source), str(target)]
    return _start(command, target.with_suffix(".log"), lambda: pq.read_table(target))
