"""cartkit's own mock honours every contract the kit checks (in-process, all five vendors)."""

from __future__ import annotations

import pytest

from cartkit import contracts, specs
from cartkit.contracts import Outcome
from tests.contracts.conftest import mock_app, run, shopper_tokens

KNOWN_MOCK_BUGS: dict[str, set[str]] = {}
"""Checks the mock fails today, each a mock bug reported to the lead (see the comments).

The comparison below is exact, so fixing a bug in the mock fails this test until the entry is
removed, like a strict xfail.
"""


@pytest.mark.parametrize("vendor", specs.VENDORS)
def test_the_mock_passes_every_check(vendor: str) -> None:
    report = run(vendor, mock_app(vendor))
    assert set(report.failed) == KNOWN_MOCK_BUGS.get(vendor, set()), "\n\n".join(
        f.render() for f in report.failures
    )
    ran = [r for r in report.results if r.outcome is not Outcome.SKIPPED]
    assert {r.group for r in ran} >= {"conformance", "pagination", "filters", "ordering", "auth"}
    # The token endpoints are checked where the vendor documents them, and only there.
    token_checks = {r.name for r in ran if r.group == "tokens"}
    if specs.tokens(vendor) is None:
        assert not any(r.group == "tokens" for r in report.results)
    else:
        assert {"tokens.conformance.run", "tokens.grant", "tokens.errors"} <= token_checks
    for result in report.results:
        if result.outcome is Outcome.SKIPPED:
            assert result.skip_reason, f"{result.name} skipped without a reason"
    # The plan is what runs; each Schemathesis check judged this vendor's answers (its broken
    # servers, in tests/contracts/bugs, may be another vendor's: the code is the same).
    planned = contracts.plan(vendor)
    assert set(planned) <= {r.name for r in report.results}
    for name in planned:
        if name.startswith(("conformance.", "tokens.conformance.")):
            assert report[name].examples > 0, f"{name} judged no answer of {vendor}"
    # A full run covers every documented parameter, sort order and paging path of the mock.
    coverage = report.coverage
    assert coverage is not None
    assert coverage["parameters"]["not_sent"] == [], coverage["parameters"]
    assert coverage["orders"]["not_exercised"] == [], coverage["orders"]
    assert all(walked is not False for walked in coverage["paging"].values()), coverage["paging"]
    assert {200, 400} <= set(coverage["statuses"]["seen"]) and coverage["envelopes"]["seen"]
    assert coverage["fields"]["percent"] > 40, coverage["fields"]["not_seen"]


@pytest.mark.parametrize("credential", ["customer_token", "account_token"])
def test_the_mock_lists_only_the_shoppers_carts(credential: str) -> None:
    auth = {credential: shopper_tokens()[credential]}
    report = run("elasticpath", mock_app("elasticpath"), auth=auth, skip=["conformance", "tokens"])
    assert not report.failed, "\n\n".join(f.render() for f in report.failures)
    scoped = report["auth.shopper_token"]
    assert scoped.outcome is Outcome.PASSED
    assert report["auth.both_shopper_tokens"].outcome is Outcome.PASSED


def test_the_shopper_check_says_why_it_skips_without_a_token() -> None:
    report = run("elasticpath", mock_app("elasticpath"), only=["auth.shopper_token"])
    assert report["auth.shopper_token"].skip_reason == (
        "no shopper token given (--customer-token or --account-token), so the list is not one "
        "shopper's"
    )
