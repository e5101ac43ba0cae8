"""Reports: evidence without secrets, and machine-readable outputs for CI."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
from rich.console import Console

from cartkit import contracts
from cartkit.contracts.report import CheckResult, Failure, Report, curl
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


def test_curl_sends_a_malformed_credential_as_sent_and_a_real_one_as_its_variable(
    failing: Report,
) -> None:
    # auth.malformed's credential is made up on purpose, no secret: the curl must send it, or it
    # would reproduce a well-formed request instead of the one the server wrongly accepted.
    lenient = broken.Rewrite(
        mock_app("stateset"), headers=lambda h: {**h, "authorization": f"Bearer {SECRET}"}
    )
    report = contracts.check(
        "stateset",
        app=lenient,
        base_url="http://testserver/stateset",
        auth={"token": SECRET},
        only=["auth.malformed"],
    )
    malformed = report["auth.malformed"].failures[0].curl or ""
    assert "-H 'Authorization: Basic Y2FydGtpdDpjYXJ0a2l0'" in malformed
    assert "$CARTKIT_TOKEN" not in malformed
    status = failing["filters.status"].failures[0].curl or ""
    assert '-H "Authorization: Bearer $CARTKIT_TOKEN"' in status and SECRET not in status


def test_what_a_server_sends_reaches_no_report_raw(tmp_path: Path) -> None:
    nasty = "".join(map(chr, range(32))) + "\x7f\x85\x9b\ud800\ufffe\uffff é 😀 <&>\"'"
    report = Report("stateset", "http://h/v1/carts", seed=None)
    failure = Failure(
        "pagination.walk", f"Title {nasty}", f"expected {nasty}", nasty * 1000, curl=f"curl {nasty}"
    )
    report.results.append(CheckResult("pagination.walk", failures=[failure]))
    report.results.append(CheckResult("projection.fields", skip_reason=f"because {nasty}"))
    report.write_junit(tmp_path / "r.xml")
    report.write_json(tmp_path / "r.json")
    suite = ET.parse(tmp_path / "r.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "1" and suite.get("skipped") == "1"
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["checks"][0]["failures"][0]["received"].endswith("more characters)")
    console = Console(file=io.StringIO(), width=100)
    report.print(console)
    for text in (
        console.file.getvalue(),
        (tmp_path / "r.xml").read_text("utf-8"),
        failure.render(),
    ):
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]", text)
    assert "\\x1b" in failure.received and "é 😀 <&>" in failure.received


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
