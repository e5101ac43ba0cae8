"""Every check bites: each broken server of the catalogue (``tests/contracts/bugs``) is reported
by the checks it proves, at the default ``--max-examples``, and by no unrelated group; and every
check ``contracts.plan`` lists is proven by one of them.

The Schemathesis checks (``conformance.*``, ``tokens.conformance.*``) run the same code for
every vendor, on its document: each is proven on at least one vendor, and ``test_mock.py`` shows
that every vendor's run judged responses with each of them. Every other check is the vendor's
own oracle, so it is proven on every vendor that plans it.

A broken server proving a Schemathesis check is run with every group. The others are run with
every group but the two Schemathesis runs: those cost one to four seconds each, and judge the
status, headers and schema of each answer, which a server listing the wrong carts (or refusing
the wrong way) may or may not also break.
"""

from __future__ import annotations

import multiprocessing
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor

import pytest

from cartkit import contracts, specs
from cartkit.contracts.runner import DEFAULT_MAX_EXAMPLES
from tests.contracts.bugs import BUGS, Bug, schemathesis_check
from tests.contracts.conftest import mock_app, run

_SCHEMATHESIS_RUNS = ["conformance", "tokens.conformance"]


def _proven() -> dict[str, set[str]]:
    """Check name -> the vendors a broken server proves it on."""
    out: dict[str, set[str]] = defaultdict(set)
    for bug in BUGS:
        for name in bug.proves:
            out[name].add(bug.vendor)
    return out


@pytest.mark.parametrize("vendor", specs.VENDORS)
def test_every_planned_check_is_proven_by_a_broken_server(vendor: str) -> None:
    proven = _proven()
    unproven = [
        name
        for name in contracts.plan(vendor)
        if not proven.get(name) or (not schemathesis_check(name) and vendor not in proven[name])
    ]
    assert not unproven, f"no broken server in tests/contracts/bugs proves {unproven} ({vendor})"


def test_every_broken_server_proves_checks_its_vendor_plans() -> None:
    plans = {vendor: set(contracts.plan(vendor)) for vendor in specs.VENDORS}
    stale = [(bug.id, sorted(set(bug.proves) - plans[bug.vendor])) for bug in BUGS]
    assert not [s for s in stale if s[1]]
    ids = [bug.id for bug in BUGS]
    assert len(ids) == len(set(ids)), "two broken servers share an id"


def prove(bug_id: str) -> contracts.Report:
    """Run the broken server *bug_id* through the checks (in a worker process, see below)."""
    bug = next(b for b in BUGS if b.id == bug_id)
    everything = any(schemathesis_check(name) for name in bug.proves)
    return run(
        bug.vendor,
        bug.wrap(bug.base() if bug.base else mock_app(bug.vendor)),
        max_examples=DEFAULT_MAX_EXAMPLES,
        auth=dict(bug.auth()),
        skip=[] if everything else _SCHEMATHESIS_RUNS,
    )


@pytest.fixture(scope="module")
def reports(request: pytest.FixtureRequest) -> Iterator[dict[str, Future[contracts.Report]]]:
    """The report of every selected broken server, computed on two worker processes.

    Each run is a second or more of CPU; the suite otherwise runs on one core, and CI has two.
    """
    selected = [
        item.callspec.params["bug"].id
        for item in request.session.items
        if isinstance(item, pytest.Function)
        and hasattr(item, "callspec")
        and isinstance(item.callspec.params.get("bug"), Bug)
    ]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        yield {bug_id: pool.submit(prove, bug_id) for bug_id in selected}


@pytest.mark.parametrize("bug", [pytest.param(bug, id=bug.id) for bug in BUGS])
def test_a_broken_server_is_reported_by_the_checks_it_proves(
    bug: Bug, reports: dict[str, Future[contracts.Report]]
) -> None:
    report = reports[bug.id].result()
    missed = [name for name in bug.proves if name not in report.failed]
    assert not missed, f"{missed} passed; failed: {report.failed}"
    groups = {name.split(".", 1)[0] for name in bug.proves}
    unrelated = [
        name
        for name in report.failed
        if name.split(".", 1)[0] not in groups and name not in bug.also
    ]
    assert not unrelated, "\n\n".join(f.render() for f in report.failures if f.check in unrelated)
    for name in bug.proves:
        failure = next(f for f in report.failures if f.check == name)
        assert failure.expected and failure.received
        assert failure.curl and failure.curl.startswith("curl ")
    assert report.exit_code == 1
