"""``cartkit check`` against servers that misbehave below the contract: too much, too little, too
late, or not JSON at all (:mod:`tests.contracts.hostile`, a raw HTTP server on 127.0.0.1).

Whatever the server does, the run ends in time with exit status 1, a failure that names what was
wrong, and JUnit XML and JSON reports that parse and hold nothing the server sent raw.
"""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cartkit import contracts
from cartkit.contracts.reading import GIVE_UP_AFTER
from cartkit.specs.cli import main
from tests.contracts import hostile
from tests.contracts.conftest import mock_app

TOKEN = "sk_test_hostile-0123456789"
BOUND = 30.0
"""Seconds any row may take on a slow CI machine; most take one or two (``--timeout 0.5``)."""

# What a report or a terminal must never show raw: C0 controls but tab and newline, DEL, C1.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

FAST = ["--timeout", "0.5"]
"""For the rows about time: the other rows keep the default timeout, so a loaded machine
cannot turn their answers into timeouts."""


def _mock(corrupt: Any) -> Any:
    return hostile.corrupting(mock_app("stateset"), corrupt)


ROWS = [
    pytest.param(
        hostile.huge, [], r"body larger than 10 MiB .*Content-Length 52,428,800", id="50-mb"
    ),
    pytest.param(
        hostile.huge_unannounced,
        [],
        r"body larger than 10 MiB .*still coming",
        id="50-mb-no-length",
    ),
    pytest.param(
        hostile.endless, ["--max-body-mb", "1"], r"body larger than 1 MiB", id="endless-chunked"
    ),
    pytest.param(hostile.gzip_bomb(), [], r"body larger than 10 MiB", id="gzip-bomb"),
    pytest.param(
        hostile.bad_gzip, [], r"body not decodable as its Content-Encoding says", id="bad-gzip"
    ),
    pytest.param(hostile.no_answer, FAST, r"no answer within 0\.5s \(--timeout\)", id="no-answer"),
    pytest.param(
        hostile.body_never_comes,
        FAST,
        r"the body did not come whole within 0\.5s",
        id="body-never-comes",
    ),
    pytest.param(
        hostile.trickle, FAST, r"the body did not come whole within 0\.5s", id="trickled-body"
    ),
    pytest.param(
        hostile.closed, [], r"disconnected without sending a response", id="closed-no-answer"
    ),
    pytest.param(hostile.reset_connection, [], r"Connection reset by peer", id="connection-reset"),
    pytest.param(
        hostile.cut_short,
        [],
        r"without sending complete message body \(received 16 bytes, expected 1000\)",
        id="closed-mid-body",
    ),
    pytest.param(hostile.not_http, [], r"disconnected without sending a response", id="not-http"),
    pytest.param(hostile.garbled_status_line, [], r"illegal status line", id="garbled-status-line"),
    pytest.param(
        hostile.to_schemathesis(mock_app("stateset"), hostile.endless),
        [],
        r"conformance\.run: .*body larger than 10 MiB",
        id="endless-to-schemathesis",
    ),
    pytest.param(
        hostile.to_schemathesis(mock_app("stateset"), hostile.trickle),
        FAST,
        r"conformance\.run: .*the body did not come whole within 0\.5s",
        id="trickle-to-schemathesis",
    ),
    pytest.param(_mock(hostile.html), [], r"body is not JSON \(text/html\)", id="html"),
    pytest.param(
        _mock(hostile.invalid_utf8),
        [],
        r"body is not UTF-8 \(RFC 8259 §8\.1\): byte 0xff",
        id="invalid-utf-8",
    ),
    pytest.param(
        _mock(hostile.control_characters),
        [],
        r"raw control character '\\x00'",
        id="control-characters",
    ),
    pytest.param(
        _mock(hostile.duplicate_keys),
        [],
        r"ambiguous JSON: key 'data' twice in one object",
        id="duplicate-keys",
    ),
]


@pytest.mark.parametrize(("behaviour", "options", "problem"), ROWS)
def test_a_hostile_server_fails_the_run_with_the_problem_named(
    behaviour: hostile.Behaviour, options: list[str], problem: str, tmp_path: Path
) -> None:
    junit, report = tmp_path / "report.xml", tmp_path / "report.json"
    with hostile.HostileServer(behaviour) as server:
        started = time.monotonic()
        result = CliRunner().invoke(
            main,
            [
                "check",
                "stateset",
                "--url",
                f"{server.url}/stateset",
                "--token",
                TOKEN,
                "--max-examples",
                "2",
                "--max-pages",
                "5",
                "--junit-xml",
                str(junit),
                "--json",
                str(report),
                *options,
            ],
        )
        elapsed = time.monotonic() - started
    assert result.exit_code == 1, result.output
    assert elapsed < BOUND
    data = json.loads(report.read_text(encoding="utf-8"))
    found = [
        f"{check['name']}: {failure['title']}: {failure['received']}"
        for check in data["checks"]
        for failure in check["failures"]
    ]
    assert any(re.search(problem, text) for text in found), "\n".join(found[:5])
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == str(data["summary"]["failed"])
    assert len(suite.findall("testcase")) == len(data["checks"])
    for text in (result.output, junit.read_text(encoding="utf-8"), report.read_text("utf-8")):
        assert not RAW.search(text)
        assert TOKEN not in text


def test_the_python_api_reports_an_endless_body_as_a_failed_check() -> None:
    with hostile.HostileServer(hostile.endless) as server:
        report = contracts.check(
            "stateset",
            base_url=f"{server.url}/stateset",
            auth={"token": TOKEN},
            only=["pagination.walk"],
            timeout=2,
            max_body_mb=0.5,
        )
    assert not report.ok and report.exit_code == 1
    assert "body larger than 0.5 MiB" in report["pagination.walk"].failures[0].received


def test_a_server_that_stops_answering_is_given_up_on() -> None:
    # Each request that times out costs the whole timeout: after three in a row, the checks that
    # would send more are skipped, naming why, instead of waiting once per check.
    with hostile.HostileServer(hostile.no_answer) as server:
        report = contracts.check(
            "stateset",
            base_url=f"{server.url}/stateset",
            auth={"token": TOKEN},
            skip=["conformance"],
            timeout=0.3,
        )
        sent = server.requests
    assert sent == GIVE_UP_AFTER
    reasons = [r.skip_reason or "" for r in report.results]
    assert any(reason.startswith("not sent: the server's last 3 answers") for reason in reasons)
    assert report.failed  # the requests that did time out are failures
