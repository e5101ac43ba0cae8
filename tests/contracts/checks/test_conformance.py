"""``contracts.checks.conformance``: what ``planned`` lists per document (every Schemathesis
built-in check, with the reason it is left out where it cannot judge the document), and ``run``
against the in-process StateSet mock with a tiny budget: one result per planned check, the left
out ones skipped with their reason, the mock passing the others and a server breaking the
response schema failing ``response_schema_conformance``."""

from __future__ import annotations

from typing import Any

import pytest
from schemathesis.checks import CHECKS

from cartkit import specs
from cartkit.contracts.checks.conformance import (
    NOT_APPLICABLE,
    TOKENS_NOT_APPLICABLE,
    planned,
    run,
)
from cartkit.contracts.report import CheckResult, Outcome
from cartkit.contracts.spec import Contract, TokenDocument
from cartkit.contracts.target import Target
from tests.contracts import broken, changes
from tests.contracts.conftest import CREDENTIALS, mock_app

BUILT_IN = {check.__name__ for check in CHECKS.get_all()}
NO_HEADER = "the document requires no header and no credential"
NO_RESPONSE_HEADER = "the document declares no response header"


def contract(vendor: str) -> Contract:
    return Target(
        vendor, base_url=f"http://127.0.0.1:9/{vendor}", auth=CREDENTIALS[vendor]
    ).contract


def tokens(vendor: str) -> TokenDocument:
    document = TokenDocument.load(vendor)
    assert document is not None
    return document


def target(app: Any) -> Target:
    return Target(
        "stateset", app=app, base_url="http://testserver/stateset", auth=CREDENTIALS["stateset"]
    )


# -- planned ----------------------------------------------------------------------------------


def test_the_checks_no_read_only_api_can_use_are_named_with_their_reasons() -> None:
    assert (
        set(NOT_APPLICABLE)
        == set(TOKENS_NOT_APPLICABLE)
        == {
            "ignored_auth",
            "use_after_free",
            "ensure_resource_availability",
            "object_level_authorization",
        }
    )
    assert set(NOT_APPLICABLE) < BUILT_IN
    # A token document mints credentials: its reasons say so, but for the one they share.
    assert NOT_APPLICABLE["ignored_auth"] != TOKENS_NOT_APPLICABLE["ignored_auth"]
    assert "the auth group" in TOKENS_NOT_APPLICABLE["ignored_auth"]
    assert (
        TOKENS_NOT_APPLICABLE["object_level_authorization"]
        == NOT_APPLICABLE["object_level_authorization"]
    )


@pytest.mark.parametrize("vendor", specs.VENDORS)
def test_a_list_contract_plans_every_built_in_check_but_the_four_it_cannot_use(
    vendor: str,
) -> None:
    # Every list operation is secured and declares a response header, so nothing else is out.
    plan = planned(contract(vendor))
    assert set(plan) == BUILT_IN
    assert {name: why for name, why in plan.items() if why} == NOT_APPLICABLE


@pytest.mark.parametrize("vendor", ["nextcommerce", "epages"])
def test_a_token_document_requiring_no_header_leaves_out_missing_required_header(
    vendor: str,
) -> None:
    document = tokens(vendor)
    # Why: no token operation is secured or takes a required header (the client authenticates
    # in the form).
    for op in document.operations.values():
        assert not op.secured
        assert not [p for p in op.parameters.values() if p["in"] == "header" and p.get("required")]
    plan = planned(document)
    assert set(plan) == BUILT_IN
    assert {name: why for name, why in plan.items() if why} == {
        **TOKENS_NOT_APPLICABLE,
        "missing_required_header": NO_HEADER,
    }


def test_a_token_document_declaring_no_response_header_leaves_that_check_out() -> None:
    document = tokens("elasticpath")
    # Its customer and account logins take the list's bearer: a required credential.
    assert any(op.secured for op in document.operations.values())
    plan = planned(document)
    assert plan["missing_required_header"] is None
    assert {name: why for name, why in plan.items() if why} == {
        **TOKENS_NOT_APPLICABLE,
        "response_headers_conformance": NO_RESPONSE_HEADER,
    }


# -- run --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def on_the_mock() -> tuple[list[CheckResult], list[str]]:
    """One tiny run against the StateSet mock: its results and every URL it sent."""
    urls: list[str] = []
    mock = target(mock_app("stateset"))
    try:
        results = run(
            mock,
            max_examples=1,
            seed=None,
            observe=lambda method, url, headers, status, body, media: urls.append(url),
        )
    finally:
        mock.close()
    return results, urls


def test_a_run_reports_every_planned_check_skipping_those_left_out(
    on_the_mock: tuple[list[CheckResult], list[str]],
) -> None:
    results, urls = on_the_mock
    first, *checks = results
    assert first.name == "conformance.run"
    assert first.requests == first.examples == len(urls) > 0
    assert [r.name for r in checks] == [f"conformance.{name}" for name in sorted(BUILT_IN)]
    for result in checks:
        name = result.name.removeprefix("conformance.")
        if name in NOT_APPLICABLE:
            assert result.outcome is Outcome.SKIPPED, name
            assert (result.skip_reason, result.examples) == (NOT_APPLICABLE[name], 0)
        else:
            assert result.outcome is Outcome.PASSED, [f.render() for f in result.failures]
            assert result.examples > 0, name


def test_a_server_breaking_the_response_schema_fails_that_check() -> None:
    def uncounted(body: Any) -> Any:
        return {**body, "total_count": "many"}

    broken_target = target(broken.Rewrite(mock_app("stateset"), body=changes.on_success(uncounted)))
    try:
        results = run(broken_target, max_examples=1, seed=None)
    finally:
        broken_target.close()
    failed = {r.name: r for r in results if r.outcome is Outcome.FAILED}
    assert list(failed) == ["conformance.response_schema_conformance"]
    failure = failed["conformance.response_schema_conformance"].failures[0]
    assert failure.title == "Response violates schema"
    assert "total_count" in failure.render()


def test_an_opaque_parameter_is_never_sent_not_even_its_documented_example() -> None:
    # Only the server mints such values (its own links carry them): the examples phase would
    # otherwise send the spec's example, which the server rightly refuses.
    urls: list[str] = []
    mock = target(mock_app("nextcommerce"))
    try:
        run(
            mock,
            max_examples=1,
            seed=None,
            opaque=("cursor",),
            observe=lambda method, url, headers, status, body, media: urls.append(url),
        )
    finally:
        mock.close()
    assert urls
    assert [url for url in urls if "cursor=" in url.partition("?")[2]] == []
