"""Reports: evidence without secrets, and machine-readable outputs for CI."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest

import contracts
from contracts.report import CheckResult, Failure, Report, curl
from tests.contracts import broken, changes
from tests.contracts.conftest import mock_app

SECRET = "sk_test_do-not-leak-0123"


def test_curl_shows_a_shell_variable_instead_of_the_secret() -> None:
    request = httpx.Request(
        "GET",
        "http://h/v1/carts?status=abandoned",
        headers={"Authorization": f"Bearer {SECRET}", "X-Other": "it's"},
    )
    command = curl(request, {"Authorization": "Bearer $CARTKIT_TOKEN"})
    assert SECRET not in command
    assert '-H "Authorization: Bearer $CARTKIT_TOKEN"' in command
    assert "-H 'X-Other: it'\"'\"'s'" in command
    assert command.endswith("'http://h/v1/carts?status=abandoned'")


@pytest.fixture(scope="module")
def failing() -> Report:
    """A run against a server that ignores the status filter and lets anonymous calls in."""
    app = broken.Rewrite(
        mock_app("stateset"),
        query=changes.drop("status"),
        headers=changes.always_authorised("authorization", f"Bearer {SECRET}"),
    )
    return contracts.check(
        "stateset",
        app=app,
        base_url="http://testserver/stateset",
        auth={"token": SECRET},
        only=["filters.status", "auth", "conformance"],
        max_examples=5,
    )


def test_no_output_carries_the_credential(failing: Report, tmp_path: Path) -> None:
    assert {"filters.status", "auth.missing"} <= set(failing.failed)
    failing.write_json(tmp_path / "r.json")
    failing.write_junit(tmp_path / "r.xml")
    for path in (tmp_path / "r.json", tmp_path / "r.xml"):
        assert SECRET not in path.read_text()
    assert all(SECRET not in f.render() for f in failing.failures)


def test_json_and_junit_describe_every_check(failing: Report, tmp_path: Path) -> None:
    failing.write_json(tmp_path / "r.json")
    failing.write_junit(tmp_path / "r.xml")
    data = json.loads((tmp_path / "r.json").read_text())
    assert not data["ok"]
    assert [c["name"] for c in data["checks"]] == [r.name for r in failing.results]
    status = next(c for c in data["checks"] if c["name"] == "filters.status")
    assert status["outcome"] == "failed" and status["failures"][0]["curl"].startswith("curl ")
    suite = ET.parse(tmp_path / "r.xml").getroot().find("testsuite")
    assert suite is not None
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert cases["filters.status"].find("failure") is not None
    assert cases["conformance.ignored_auth"].find("skipped") is not None


def test_outcome_and_exit_code() -> None:
    report = Report("stateset", "http://x/v1/carts", seed=1)
    report.results.append(CheckResult("pagination.walk", requests=3))
    report.results.append(CheckResult("projection.fields", skip_reason="no projection"))
    assert report.ok and report.exit_code == 0
    assert report["projection.fields"].outcome is contracts.Outcome.SKIPPED
    report.results.append(
        CheckResult("auth.missing", failures=[Failure("auth.missing", "t", "401", "200")])
    )
    assert report.failed == ["auth.missing"] and report.exit_code == 1
