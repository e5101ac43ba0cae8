"""``cartkit check`` end to end: a real server in a subprocess, and the usage errors (exit 2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from cartkit.specs.cli import main
from tests.contracts.test_mock import KNOWN_MOCK_BUGS

ROOT = Path(__file__).resolve().parents[2]


def test_cartkit_check_passes_against_a_running_mock(server: str, tmp_path: Path) -> None:
    junit, report = tmp_path / "junit.xml", tmp_path / "report.json"
    known = sorted(KNOWN_MOCK_BUGS.get("stateset", set()))
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("cartkit")),
            "check",
            "stateset",
            "--url",
            f"{server}/stateset",
            "--max-examples",
            "10",
            "--max-pages",
            "25",
            *(["--skip", ",".join(known)] if known else []),
            "--junit-xml",
            str(junit),
            "--json",
            str(report),
        ],
        cwd=ROOT,
        env={**os.environ, "CARTKIT_TOKEN": "x"},  # the env-var fallback of --token
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "passed" in result.stdout and "pagination.walk" in result.stdout
    data = json.loads(report.read_text())
    assert data["ok"] and data["summary"]["failed"] == 0 and data["requests"] > 100
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "0"
    assert int(suite.get("tests", "0")) == len(data["checks"])


def test_a_contract_failure_exits_1(server: str) -> None:
    # /broken/stateset ignores the status filter (tests/contracts/served.py).
    result = CliRunner().invoke(
        main,
        [
            "check",
            "stateset",
            "--url",
            f"{server}/broken/stateset",
            "--token",
            "x",
            "--only",
            "filters.status",
        ],
    )
    assert result.exit_code == 1, result.output
    assert "filters.status" in result.output and "not applied" in result.output
    assert "Reproduce with" in result.output and "$CARTKIT_TOKEN" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["statset", "--url", "http://127.0.0.1:9", "--token", "x"],
            "did you mean 'stateset'",
            id="unknown-vendor",
        ),
        pytest.param(
            ["stateset", "--url", "http://127.0.0.1:9/stateset", "--token", "x"],
            "cannot reach",
            id="unreachable-url",
        ),
        pytest.param(
            ["stateset", "--url", "http://127.0.0.1:9/stateset"],
            "needs a bearer token",
            id="missing-credential",
        ),
        pytest.param(
            ["shopimind", "--url", "http://127.0.0.1:9/shopimind", "--token", "x"],
            "needs an API key",
            id="wrong-credential-kind",
        ),
        pytest.param(
            ["stateset", "--url", "ftp://example.com", "--token", "x"],
            "scheme://host",
            id="malformed-url",
        ),
        pytest.param(
            ["stateset", "--url", "http://127.0.0.1:9", "--token", "x", "--only", "filterz"],
            "did you mean 'filters'",
            id="unknown-group",
        ),
        pytest.param(
            ["elasticpath", "--url", "http://127.0.0.1:9", "--token", "x", "--customer-email", "a"],
            "--customer-password",
            id="half-a-customer-login",
        ),
        pytest.param(
            ["stateset", "--url", "http://127.0.0.1:9", "--token", "x", "--skip", "token"],
            "did you mean 'tokens'",
            id="unknown-group-tokens",
        ),
    ],
)
def test_usage_errors_exit_2_with_a_clear_message(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["check", *args], env={"CARTKIT_TOKEN": None})
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_a_url_with_a_password_is_refused_and_never_echoed() -> None:
    url = "http://ada:s3cret-pa55@127.0.0.1:9/stateset"
    result = CliRunner().invoke(main, ["check", "stateset", "--url", url, "--token", "x"])
    assert result.exit_code == 2
    assert "ada:***@127.0.0.1:9" in result.output and "s3cret" not in result.output


def test_a_wrong_prefix_is_a_usage_error(server: str) -> None:
    result = CliRunner().invoke(main, ["check", "stateset", "--url", server, "--token", "x"])
    assert result.exit_code == 2
    assert "404" in result.output and "/stateset" in result.output
