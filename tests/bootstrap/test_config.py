"""Configuration: every bad value gives one clear message, before any AWS call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bootstrap import cli
from bootstrap.cli import parse_period
from bootstrap.config import example_text, load_config, parse_config
from bootstrap.errors import ConfigError
from tests.bootstrap.support import A, B, config_data, to_toml

ORG = "o-abcdefghij"


def problems(**overrides: Any) -> tuple[str, ...]:
    with pytest.raises(ConfigError) as caught:
        parse_config(config_data(ORG, **overrides))
    return caught.value.problems


def test_valid_config_parses_into_frozen_dataclasses() -> None:
    config = parse_config(config_data(ORG, producer={"prefix": "cur/legacy/"}))
    assert config.producer.account_id == A
    assert config.producer.prefix == "cur/legacy"  # normalised: no trailing slash
    assert config.producer.all_tables
    assert config.producer.shares_with_organization
    assert config.consumer.job_role_name == "cur-job"
    with pytest.raises(AttributeError):
        config.producer.bucket = "other"  # type: ignore[misc]


BAD_VALUES = [
    ("producer", "account_id", "12345", "12-digit"),
    ("producer", "account_id", 111111111111, "quoted string"),
    ("consumer", "account_id", "22222222222x", "12-digit"),
    ("producer", "organization_id", "org-123", "o-a1b2c3d4e5"),
    ("producer", "region", "US_EAST_1", "region"),
    ("producer", "database", "Cur-Org", "lower-case"),
    ("consumer", "resource_link", "cur org linked", "lower-case"),
    ("producer", "bucket", "My_Bucket", "bucket name"),
    ("producer", "bucket", "ab", "bucket name"),
    ("producer", "bucket", "192.168.1.10", "IP address"),
    ("producer", "bucket", "cur..bucket", "adjacent dots"),
    ("producer", "prefix", "/cur", "must not start with '/'"),
    ("producer", "tables", ["*", "legacy_all"], "cannot be combined"),
    ("producer", "tables", [], "non-empty"),
    ("producer", "tables", ["Legacy-All"], "lower-case"),
    ("producer", "share_with", "everyone", '"organization" or a non-empty list'),
    ("producer", "share_with", ["12"], "12-digit"),
    ("producer", "assume_role_arn", "arn:aws:iam::111111111111:user/admin", "role ARN"),
    ("consumer", "job_role_arn", "cur-job", "role ARN"),
    ("consumer", "job_role_arn", f"arn:aws:iam::{A}:role/cur-job", "not in the consumer account"),
    ("consumer", "profile", "", "profile"),
    ("consumer", "colour", "blue", "unknown key"),
    # ASCII only: full-width and Arabic-Indic digits are digits to \d without re.ASCII
    ("producer", "account_id", "１１１１１１１１１１１１", "12-digit"),
    ("consumer", "account_id", "٢٢٢٢٢٢٢٢٢٢٢٢", "12-digit"),
    ("consumer", "job_role_arn", "arn:aws:iam::222222222222:role/ｃｕｒ", "role ARN"),
    # shaped like a region, but botocore knows no such region / Glue region
    ("producer", "region", "xx-fake-1", "not a region botocore knows"),
    ("producer", "region", "us-east-9", "not a known AWS Glue region of partition aws"),
    ("producer", "iam_allowed_principals", "sometimes", '"report" (default)'),
]


@pytest.mark.parametrize(("section", "key", "value", "says"), BAD_VALUES)
def test_each_bad_value_gives_one_clear_message(
    section: str, key: str, value: Any, says: str
) -> None:
    found = problems(**{section: {key: value}})
    assert len(found) == 1, found
    [message] = found
    assert message.startswith(f"[{section}] {key}")
    assert says in message


def test_missing_values_and_sections_are_named() -> None:
    data = config_data(ORG)
    del data["producer"]["bucket"]
    del data["consumer"]
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    assert caught.value.problems == (
        "[consumer]: section is missing",
        "[producer] bucket: missing (an S3 bucket name)",
    )


def test_cross_field_rules() -> None:
    assert problems(consumer={"account_id": A, "job_role_arn": f"arn:aws:iam::{A}:role/x"}) == (
        "[consumer] account_id: must differ from [producer] account_id (cross-account)",
    )
    assert problems(producer={"share_with": ["333333333333"]}) == (
        f"[producer] share_with: does not include the consumer account {B}",
    )
    data = config_data(ORG)
    del data["producer"]["organization_id"]
    with pytest.raises(ConfigError, match="organization_id: missing"):
        parse_config(data)


def test_account_list_needs_no_organization_id() -> None:
    data = config_data(ORG, producer={"share_with": [B]})
    del data["producer"]["organization_id"]
    config = parse_config(data)
    assert config.producer.share_accounts == (B,)
    assert not config.producer.shares_with_organization


def test_example_written_by_init_is_valid() -> None:
    import tomllib

    config = parse_config(tomllib.loads(example_text()))
    assert config.producer.database == "cur_org"
    assert config.consumer.resource_link == "cur_org_linked"


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cur-bootstrap init"):
        load_config(tmp_path / "absent.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[producer\naccount_id = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(broken)


@pytest.mark.parametrize("period", ["2024-13", "24-05", "2024/05", "1999-05", "2024-05' or 1=1"])
def test_bad_period(period: str) -> None:
    with pytest.raises(ConfigError, match="billing period"):
        parse_period(period)


@pytest.mark.parametrize("text", ["2024-5", "2024-05"])
def test_period_is_parsed_by_the_library_rule(text: str) -> None:
    """``doctor --period`` accepts what the library accepts: the month may be unpadded."""
    from cur_analysis.periods import BillingPeriod

    period = parse_period(text)
    assert period == BillingPeriod(2024, 5)
    assert period.predicate() == "year = '2024' and month = '5'"


def test_doctor_imports_no_spark() -> None:
    """The admin tool reads periods with the library's pure parser, never pulling in pyspark."""
    import subprocess
    import sys

    probe = (
        "import sys, bootstrap.cli, bootstrap.doctor, deploy.cli; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pyspark'))"
    )
    answer = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert answer.stdout.strip() == "[]"


def test_bad_config_in_cli_exits_1_with_one_line_per_value_and_no_aws_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No AWS call: the endpoint points at a closed port and session creation is a tripwire."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    opened: list[str] = []

    def tripwire(**kwargs: Any) -> Any:
        opened.append(str(kwargs))
        raise AssertionError("an AWS session was opened for a bad configuration")

    monkeypatch.setattr(cli, "make_session", tripwire)
    path = tmp_path / "bad.toml"
    path.write_text(
        to_toml(config_data(ORG, producer={"account_id": "123", "bucket": "Bad_Bucket"})),
        encoding="utf-8",
    )
    for command in (["plan"], ["apply"], ["doctor"]):
        assert cli.main([*command, "--config", str(path)]) == 1
        err = capsys.readouterr().err.splitlines()
        assert err[0] == f"cur-bootstrap: {path}: invalid configuration:"
        assert [line.split(":")[0] for line in err[1:]] == [
            "  - [producer] account_id",
            "  - [producer] bucket",
        ]
    assert opened == []


def test_partition_comes_from_botocore() -> None:
    from awsplan.aws import partition_for

    assert partition_for("cn-north-1") == "aws-cn"
    assert partition_for("us-gov-west-1") == "aws-us-gov"
    assert partition_for("eu-central-2") == "aws"


def test_non_utf8_config_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.toml"
    path.write_bytes(to_toml(config_data(ORG)).encode("utf-16"))
    assert cli.main(["plan", "--config", str(path)]) == 1
    err = capsys.readouterr().err
    assert "not UTF-8 text" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("where", ["missing/c.toml", "."])
def test_init_into_a_missing_folder_or_onto_a_folder(
    where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / where
    assert cli.main(["init", "--config", str(target)]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("cur-bootstrap: error: ")
    assert ("does not exist" in line) if where != "." else ("is a folder" in line)
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize(
    "argv", [["plan", "--side", "sideways"], ["frobnicate"], [], ["apply", "--bogus"]]
)
def test_usage_errors_exit_1_not_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """2 means "changes pending"; argparse's default 2 would read as that."""
    with pytest.raises(SystemExit) as raised:
        cli.main(argv)
    assert raised.value.code == 1
    assert "usage: cur-bootstrap" in capsys.readouterr().err


def test_consumer_region_defaults_to_the_producer_region() -> None:
    config = parse_config(config_data(ORG))
    assert config.consumer.region is None
    assert config.consumer_region == config.producer.region


def test_consumer_region_is_its_own_setting_and_checked_like_the_producer_one() -> None:
    config = parse_config(config_data(ORG, consumer={"region": "eu-central-1"}))
    assert config.consumer_region == "eu-central-1"
    assert problems(consumer={"region": "xx-fake-1"}) == (
        "[consumer] region: 'xx-fake-1' is not a region botocore knows",
    )


def test_consumer_session_uses_the_consumer_region(monkeypatch: pytest.MonkeyPatch) -> None:
    from bootstrap import cli

    seen: list[str] = []
    monkeypatch.setattr(cli, "make_session", lambda **kw: seen.append(kw["region"]))
    monkeypatch.setattr(cli, "AccountClients", lambda session: session)
    config = parse_config(config_data(ORG, consumer={"region": "eu-central-1"}))
    cli.connect(config, "both")
    assert seen == [config.producer.region, "eu-central-1"]
