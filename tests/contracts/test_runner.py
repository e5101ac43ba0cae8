"""``contracts.runner``: the groups and their order, ``plan`` (every check a run can make, in run
order, without a request), ``--only``/``--skip`` (a group or a check; an unknown group refused
with a did-you-mean), the budget's validation, and a few small runs on the in-process mock."""

from __future__ import annotations

from typing import Any

import pytest

from cartkit import contracts, specs
from cartkit.contracts import checks, runner
from cartkit.contracts.errors import ConfigError
from cartkit.contracts.report import CheckResult, Outcome
from tests.contracts.conftest import mock_app, run

TOKEN_VENDORS = ("nextcommerce", "elasticpath", "epages")  # the vendors with a token document


def test_the_groups_in_run_order() -> None:
    assert runner.GROUPS is checks.GROUPS is contracts.GROUPS
    assert runner.GROUPS == (
        "conformance",
        "pagination",
        "filters",
        "ordering",
        "projection",
        "auth",
        "errors",
        "consistency",
        "tokens",
    )


@pytest.mark.parametrize("vendor", specs.VENDORS)
def test_a_plan_names_known_groups_once_each_in_run_order(vendor: str) -> None:
    names = contracts.plan(vendor)
    assert names, vendor
    assert len(set(names)) == len(names)
    groups = [name.split(".", 1)[0] for name in names]
    assert set(groups) <= set(runner.GROUPS)
    order = [runner.GROUPS.index(group) for group in groups]
    assert order == sorted(order), "groups out of run order"


@pytest.mark.parametrize("vendor", specs.VENDORS)
def test_a_plan_starts_with_schemathesis_conformance_sorted(vendor: str) -> None:
    names = contracts.plan(vendor)
    assert names[0].startswith("conformance.")
    leading = [n for n in names if n.startswith("conformance.")]
    assert names[: len(leading)] == leading == sorted(leading)
    # Every vendor's list is checked for server errors and against its response schema.
    assert "conformance.not_a_server_error" in leading
    assert "conformance.response_schema_conformance" in leading
    # ... and walked page by page.
    assert "pagination.walk" in names


@pytest.mark.parametrize("vendor", specs.VENDORS)
def test_the_token_checks_are_planned_only_with_a_token_document(vendor: str) -> None:
    names = contracts.plan(vendor)
    tokens = [n for n in names if n.startswith("tokens.")]
    if vendor not in TOKEN_VENDORS:
        assert tokens == []
        return
    assert tokens == names[len(names) - len(tokens) :]  # the last group
    # The token document's own conformance first, then the other token checks.
    conformance = [n for n in tokens if n.startswith("tokens.conformance.")]
    assert conformance and tokens[: len(conformance)] == conformance
    assert "tokens.grant" in tokens[len(conformance) :]


def test_a_plan_lists_a_check_the_documents_give_something_to_judge() -> None:
    # StateSet has a summary but no projection; ShopiMind the other way round.
    assert "consistency.summary" in contracts.plan("stateset")
    assert "projection.fields" not in contracts.plan("stateset")
    assert "projection.fields" in contracts.plan("shopimind")
    assert "consistency.summary" not in contracts.plan("shopimind")
    # 29 Next has no page-size parameter, so no bounds to probe.
    assert "pagination.size_bounds" not in contracts.plan("nextcommerce")


def test_a_plan_of_an_unknown_vendor_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        contracts.plan("shopify")


# -- arguments ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_examples": 0}, "max_examples must be >= 1, got 0"),
        ({"max_examples": -3}, "max_examples must be >= 1, got -3"),
        ({"max_pages": 1}, "max_pages must be >= 2, got 1"),
        ({"max_pages": 0}, "max_pages must be >= 2, got 0"),
    ],
)
def test_a_budget_too_small_is_refused_before_any_request(
    options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        # Nothing listens there: the budget is refused before the server is asked (which would
        # be refused as unreachable).
        contracts.check("stateset", base_url="http://127.0.0.1:9", auth={"token": "t"}, **options)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("option", "choice", "hint"),
    [
        ("only", "paginaton", "; did you mean 'pagination'?"),
        ("skip", "filter.status", "; did you mean 'filters'?"),
        ("only", "token", "; did you mean 'tokens'?"),
        ("skip", "zzz", ""),
    ],
)
def test_an_unknown_group_is_refused_with_a_did_you_mean(
    option: str, choice: str, hint: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        contracts.check(
            "stateset", base_url="http://127.0.0.1:9", auth={"token": "t"}, **{option: [choice]}
        )
    groups = ", ".join(runner.GROUPS)
    assert str(raised.value) == f"unknown check group {choice!r}{hint} (groups: {groups})"


def test_the_smallest_budget_is_accepted() -> None:
    report = run(
        "stateset", mock_app("stateset"), max_examples=1, max_pages=2, only=["consistency.repeat"]
    )
    assert [r.name for r in report.results] == ["consistency.repeat"]
    assert report.ok


# -- selection, on the mock -----------------------------------------------------------------


def test_only_and_skip_take_groups_and_checks() -> None:
    seen: list[tuple[str, CheckResult | None]] = []
    report = run(
        "stateset",
        mock_app("stateset"),
        only=["pagination.walk", "auth"],
        skip=["auth.malformed"],
        on_check=lambda name, result: seen.append((name, result)),
    )
    assert [r.name for r in report.results] == ["pagination.walk", "auth.missing"]
    assert all(r.outcome is Outcome.PASSED for r in report.results) and report.ok
    # Each check announced when it starts (None), then its result.
    assert [(name, result is None) for name, result in seen] == [
        ("pagination.walk", True),
        ("pagination.walk", False),
        ("auth.missing", True),
        ("auth.missing", False),
    ]
    assert seen[1][1] is report.results[0] and seen[3][1] is report.results[1]
    assert report.vendor == "stateset" and report.url == "http://testserver/stateset/v1/carts"
    assert report.coverage is not None and report.duration > 0


def test_a_check_name_selects_that_check_and_not_one_it_merely_begins() -> None:
    # "consistency.rep" is no check: it does not select consistency.repeat.
    report = run("stateset", mock_app("stateset"), only=["filters.status", "consistency.rep"])
    assert [r.name for r in report.results] == ["filters.status"]


def test_only_a_conformance_check_runs_schemathesis_and_reports_its_summary() -> None:
    report = run(
        "stateset",
        mock_app("stateset"),
        only=["conformance.not_a_server_error"],
        max_examples=2,
    )
    # The run's summary is reported whatever the selection.
    assert [r.name for r in report.results] == [
        "conformance.run",
        "conformance.not_a_server_error",
    ]
    assert report.ok


def test_a_token_check_alone_runs_without_the_token_conformance() -> None:
    report = run("epages", mock_app("epages"), only=["tokens.grant"])
    assert [r.name for r in report.results] == ["tokens.grant"]
    assert report["tokens.grant"].outcome is Outcome.PASSED


def test_skipping_a_group_leaves_the_others() -> None:
    skipped = set(runner.GROUPS) - {"consistency"}
    report = run("stateset", mock_app("stateset"), skip=sorted(skipped))
    assert [r.name for r in report.results] == ["consistency.repeat", "consistency.summary"]
