"""``--baseline``: accepted failures reported as known, new ones failed, fixed ones stale; the
file keyed by vendor, check and request shape, never a secret or a date."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cartkit.contracts import Baseline, CheckResult, ConfigError, Failure, Outcome, Report
from cartkit.contracts.baseline import Entry
from cartkit.specs.cli import main

TOKEN = "sandbox-secret-token-0123"


def _check(url: str, *options: str) -> Result:
    return CliRunner().invoke(
        main,
        ["check", "stateset", "--url", url, "--only", "filters", *options],
        env={"CARTKIT_TOKEN": TOKEN},
    )


def _failed(report: Path) -> list[str]:
    return [c["name"] for c in json.loads(report.read_text())["checks"] if c["outcome"] == "failed"]


def test_record_rerun_green_then_only_a_new_bug_fails(server: str, tmp_path: Path) -> None:
    baseline, report = tmp_path / "baseline.json", tmp_path / "report.json"
    # Record: the StateSet under /broken ignores `status`.
    recorded = _check(f"{server}/broken/stateset", "--baseline", str(baseline), "--baseline-update")
    assert recorded.exit_code == 0, recorded.output
    entries = Baseline.load(baseline).entries
    assert Entry("stateset", "filters.status", "GET /v1/carts?status") in entries
    text = baseline.read_text()
    assert TOKEN not in text and "testserver" not in text and server not in text
    assert not re.search(r"\d{4}-\d\d-\d\d", text), "a date in the baseline"
    # Rerun: the same bug is known, so the run is green.
    junit = tmp_path / "junit.xml"
    again = _check(
        f"{server}/broken/stateset",
        "--baseline",
        str(baseline),
        "--json",
        str(report),
        "--junit-xml",
        str(junit),
    )
    assert again.exit_code == 0, again.output
    assert "Known failures" in again.output and "filters.status" in again.output
    data = json.loads(report.read_text())
    assert data["ok"] and data["summary"]["known"] >= 1 and not data["stale"]
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "0"
    case = suite.find("testcase[@name='filters.status']/skipped")
    assert case is not None and case.get("message", "").startswith("known failure (baseline)")
    # A new bug beside the known one (`channel` ignored too): only the new one fails.
    new = _check(
        f"{server}/broken-twice/stateset", "--baseline", str(baseline), "--json", str(report)
    )
    assert new.exit_code == 1, new.output
    assert _failed(report) == ["filters.channel"]
    known = [c["name"] for c in json.loads(report.read_text())["checks"] if c["outcome"] == "known"]
    assert "filters.status" in known


def test_a_fixed_deviation_is_reported_stale(server: str, tmp_path: Path) -> None:
    baseline, report = tmp_path / "baseline.json", tmp_path / "report.json"
    Baseline(
        [
            Entry(
                "stateset", "filters.status", "GET /v1/carts?status", "Filter 'status' not applied"
            ),
            Entry("stateset", "ordering.total_asc", "GET /v1/carts?sort_by&sort_order"),
            Entry("epages", "filters.createdAfter", "GET /rs/shops/{shopId}/carts?createdAfter"),
        ]
    ).save(baseline)
    result = _check(f"{server}/stateset", "--baseline", str(baseline), "--json", str(report))
    assert result.exit_code == 0, result.output
    assert "Stale baseline entries" in result.output
    # Only the entry whose check ran: ordering did not run, ePages is another vendor.
    assert json.loads(report.read_text())["stale"] == [
        {
            "check": "filters.status",
            "request": "GET /v1/carts?status",
            "title": "Filter 'status' not applied",
        }
    ]
    # Updating prunes it and keeps what this run could not judge.
    updated = _check(f"{server}/stateset", "--baseline", str(baseline), "--baseline-update")
    assert updated.exit_code == 0, updated.output
    assert [e.check for e in Baseline.load(baseline).entries] == [
        "filters.createdAfter",
        "ordering.total_asc",
    ]


def _report(vendor: str, *failures: Failure) -> Report:
    report = Report(vendor, f"http://sandbox/{vendor}", seed=0)
    for failure in failures:
        report.results.append(CheckResult(failure.check, failures=[failure]))
    return report


def test_keys_are_vendor_check_and_request_shape() -> None:
    seen = Failure(
        "filters.status", "Filter 'status' not applied", "e", "r", shape="GET /v1/carts?status"
    )
    other_shape = Failure(
        "filters.status",
        "Filter 'status' not applied",
        "e",
        "r",
        shape="GET /v1/carts?channel&status",
    )
    baseline = Baseline.recorded(_report("stateset", seen))
    report = _report("stateset", seen, other_shape)
    report.results[1] = CheckResult(
        "filters.combined",
        failures=[Failure("filters.combined", "t", "e", "r", shape="GET /v1/carts?status")],
    )
    baseline.apply(report)
    assert report.failed == ["filters.combined"]
    assert report.results[0].outcome is Outcome.KNOWN
    # Another vendor's failure of the same check and shape is not this one.
    elsewhere = _report(
        "shopimind", Failure("filters.status", "t", "e", "r", shape="GET /v1/carts?status")
    )
    baseline.apply(elsewhere)
    assert elsewhere.failed == ["filters.status"]


def test_one_file_serves_several_vendors() -> None:
    stateset = Baseline.recorded(
        _report("stateset", Failure("filters.status", "t", "e", "r", shape="GET /v1/carts?status"))
    )
    both = Baseline.recorded(
        _report(
            "epages",
            Failure("errors.not_acceptable", "t", "e", "r", shape="GET /rs/shops/{shopId}/carts"),
        ),
        stateset,
    )
    assert sorted(e.vendor for e in both.entries) == ["epages", "stateset"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(None, "no baseline at", id="missing"),
        pytest.param("{not json", "cannot read the baseline", id="not-json"),
        pytest.param('{"version": 7, "failures": []}', "is not a cartkit baseline", id="version"),
        pytest.param(
            '{"version": 1, "failures": [{"check": "x"}]}', "is not a cartkit baseline", id="entry"
        ),
    ],
)
def test_an_unreadable_baseline_is_a_usage_error(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "baseline.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ConfigError, match=message):
        Baseline.load(path)
    result = CliRunner().invoke(
        main,
        [
            "check",
            "stateset",
            "--url",
            "http://127.0.0.1:9",
            "--token",
            "x",
            "--baseline",
            str(path),
        ],
    )
    assert result.exit_code == 2 and message in result.output


def test_update_needs_a_file() -> None:
    result = CliRunner().invoke(
        main,
        ["check", "stateset", "--url", "http://127.0.0.1:9", "--token", "x", "--baseline-update"],
    )
    assert result.exit_code == 2 and "--baseline FILE" in result.output
