"""The command line: exit codes 0/2/1, --json, apply twice, doctor, init, python -m bootstrap.

These go through ``main([...])`` exactly as a user would: the CLI builds its own sessions from
the config (``assume_role_arn`` into A and B) against the moto server.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bootstrap.cli import main
from tests.bootstrap.support import DATABASE, A, B, World


@pytest.fixture
def config_path(world: World, tmp_path: Path) -> Path:
    return world.write(tmp_path / "cur-bootstrap.toml")


def test_plan_exit_codes_and_apply_twice(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--config", str(config_path), "--side", "both"]
    assert main(["plan", *args]) == 2
    out = capsys.readouterr().out
    assert out.startswith("Plan (both): 10 change(s) pending")
    assert f"RAM share cur-bootstrap-{DATABASE} in {A}" in out

    assert main(["apply", *args]) == 0
    out = capsys.readouterr().out
    assert "[10/10]" in out
    assert out.rstrip().endswith("Applied 10 change(s); re-read shows no changes pending.")

    assert main(["plan", *args]) == 0
    first, note = capsys.readouterr().out.strip().splitlines()
    assert first == "Plan (both): no changes; everything is up to date."
    # the crawler's IAM_ALLOWED_PRINCIPALS is reported, never silently revoked
    assert note.startswith("note: IAM_ALLOWED_PRINCIPALS holds database cur_org; tables ")
    assert main(["apply", *args]) == 0
    assert "no changes" in capsys.readouterr().out


def test_plan_json_parses(config_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--config", str(config_path), "--side", "consumer", "--json"]) == 2
    payload = json.loads(capsys.readouterr().out)
    assert payload["changes"] == 5 == len(payload["actions"])
    first = payload["actions"][0]
    assert first["action"] == "create"
    assert first["spec"]["DatabaseInput"]["TargetDatabase"] == {
        "CatalogId": A,
        "DatabaseName": DATABASE,
    }
    assert {a["action"] for a in payload["actions"]} == {"create"}


def test_aws_error_is_one_line_and_exit_1(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = world.write(tmp_path / "c.toml", producer={"bucket": "no-such-bucket"})
    assert main(["plan", "--config", str(path), "--side", "producer"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith("cur-bootstrap: error: s3:GetBucketPolicy on bucket no-such-bucket")
    assert "NoSuchBucket" in line
    assert "Traceback" not in captured.err


def test_wrong_account_is_refused(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = world.write(
        tmp_path / "c.toml", consumer={"assume_role_arn": "arn:aws:iam::333333333333:role/x"}
    )
    assert main(["plan", "--config", str(path), "--side", "consumer"]) == 1
    err = capsys.readouterr().err
    assert (
        f"belong to account 333333333333, but the configuration says [consumer] account_id = '{B}'"
        in err
    )


def test_doctor_exit_codes(config_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """On moto, B cannot read A's catalog (moto ignores CatalogId): target-visible fails there,
    so the CLI doctor is checked for its failing lines and exit code, not for a full pass."""
    assert main(["doctor", "--config", str(config_path), "--side", "producer"]) == 1
    out = capsys.readouterr().out
    assert (
        "FAIL  producer.ram-share: RAM share cur-bootstrap-cur_org not found "
        "-> fix: run 'cur-bootstrap apply --side producer'"
    ) in out.splitlines()
    assert out.rstrip().endswith("3 passed, 9 failed.")
    assert main(["apply", "--config", str(config_path), "--side", "producer"]) == 0
    capsys.readouterr()
    assert main(["doctor", "--config", str(config_path), "--side", "producer"]) == 1
    out = capsys.readouterr().out
    failing = [line.split(":")[0] for line in out.splitlines() if line.startswith("FAIL")]
    # apply does not change data lake settings: those two stay for the admin to fix
    assert failing == [
        "FAIL  producer.cross-account-version",
        "FAIL  producer.iam-allowed-principals",
    ]


def test_doctor_rejects_bad_period_before_any_call(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["doctor", "--config", str(config_path), "--period", "1999-05"]) == 1
    assert "billing period '1999-05': year 1999 is outside 2000-2100" in capsys.readouterr().err


def test_init_writes_the_example_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "new.toml"
    assert main(["init", "--config", str(path)]) == 0
    assert "share_with" in path.read_text(encoding="utf-8")
    assert main(["init", "--config", str(path)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_python_m_bootstrap(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bootstrap", "init", "--config", str(tmp_path / "x.toml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "x.toml").exists()


def test_unknown_profile_is_one_line(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = world.write(tmp_path / "c.toml", producer={"profile": "nope"})
    assert main(["plan", "--config", str(path), "--side", "producer"]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line == (
        "cur-bootstrap: error: AWS profile 'nope' is not defined in the AWS config or "
        "credentials files; check ~/.aws/config or remove profile from the configuration."
    )
