"""The token checks: they pass on the mock, skip with a reason where they cannot run, never leak
an obtained credential, and bite: each broken token server fails the check responsible for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.responses import HTMLResponse

from contracts import Outcome, Report
from mockserver import create_app
from tests.contracts import broken
from tests.contracts.conftest import CARTS, customer_login, mock_app, run
from tests.contracts.test_mock import KNOWN_MOCK_BUGS

Wrap = Callable[[Any], Any]

TOKEN_CHECKS = {
    "elasticpath": ["tokens.grant", "tokens.scope", "tokens.errors", "tokens.shopper"],
    "nextcommerce": ["tokens.grant", "tokens.scope", "tokens.errors"],
    "epages": ["tokens.grant", "tokens.errors"],
}
CUSTOMER_TOKEN = "X-Moltin-Customer-Token"
ACCOUNT_TOKEN = "EP-Account-Management-Authentication-Token"
EP_ACCESS, EP_CARTS = r"/oauth/access_token$", r"/v2/carts$"
NC_TOKEN, NC_CARTS = r"/oauth2/token/$", r"/api/admin/carts/$"
EPAGES_TOKEN = r"/token$"


def tokens(vendor: str, app: Any, **options: Any) -> Report:
    """Only the token checks, with a smaller Schemathesis budget."""
    options.setdefault("max_examples", 5)
    options.setdefault("only", ["tokens"])
    return run(vendor, app, **options)


def problems(report: Report) -> str:
    return "\n\n".join(f.render() for f in report.failures)


# -- the mock honours them ---------------------------------------------------------------------


@pytest.mark.parametrize("vendor", list(TOKEN_CHECKS))
def test_the_mock_passes_every_token_check(vendor: str) -> None:
    # The token conformance runs in test_mock.py, with every other group.
    auth = customer_login() if vendor == "elasticpath" else {}
    report = tokens(vendor, mock_app(vendor), auth=auth, skip=["tokens.conformance"])
    assert [r.name for r in report.results] == TOKEN_CHECKS[vendor]
    for result in report.results:
        assert result.outcome is Outcome.PASSED, result.skip_reason or problems(report)
        assert result.requests >= 2


# -- skipped, with the reason, where they cannot run -------------------------------------------


def test_the_shopper_check_skips_without_a_customer_login() -> None:
    report = tokens("elasticpath", mock_app("elasticpath"), only=["tokens.shopper"])
    assert report["tokens.shopper"].skip_reason == (
        "no customer login given (--customer-email and --customer-password), so no customer "
        "token can be obtained"
    )


def test_a_made_up_client_refused_by_the_server_is_a_skip_not_a_failure() -> None:
    app = create_app(vendors=("elasticpath",), carts=CARTS, client_id="app", client_secret="s")
    report = tokens("elasticpath", app, only=["tokens.grant", "tokens.scope", "tokens.errors"])
    assert not report.failed, problems(report)
    for name in ("tokens.grant", "tokens.scope"):
        reason = report[name].skip_reason or ""
        assert "made-up client 'cartkit-made-up-client' (401): pass --client-id" in reason
    assert report["tokens.errors"].outcome is Outcome.PASSED
    # With the client the server knows, the grants run.
    known = tokens(
        "elasticpath",
        app,
        only=["tokens.grant", "tokens.scope"],
        auth={"client_id": "app", "client_secret": "s"},
    )
    assert [r.outcome for r in known.results] == [Outcome.PASSED, Outcome.PASSED], problems(known)


def _login_page(app: Any) -> Any:
    """A store whose authorize shows a person a login page instead of redirecting."""

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].endswith("/oauth2/authorize/"):
            await HTMLResponse("<form>Log in to your store</form>")(scope, receive, send)
            return
        await app(scope, receive, send)

    return wrapped


def test_an_authorization_flow_that_needs_a_person_is_skipped() -> None:
    report = tokens("nextcommerce", _login_page(mock_app("nextcommerce")), skip=["tokens.conf"])
    for name in ("tokens.grant", "tokens.scope"):
        reason = report[name].skip_reason or ""
        assert reason.startswith("authorize answered 200, not a redirect to the app: a real store")
    # The errors need no code from authorize: they still run.
    assert report["tokens.errors"].outcome is Outcome.PASSED


def test_a_made_up_epages_code_refused_is_a_skip_unless_a_code_was_given() -> None:
    app = create_app(vendors=("epages",), carts=CARTS, client_id="app", client_secret="s")
    report = tokens("epages", app, only=["tokens.grant"])
    assert "pass --auth-code" in (report["tokens.grant"].skip_reason or "")
    code = {"auth_code": "c0de", "client_id": "app"}
    made_up = tokens("epages", app, only=["tokens.grant"], auth=code)
    assert "made-up client" in (made_up["tokens.grant"].skip_reason or "")
    # The user's code and client: the exchange must work.
    refused = tokens("epages", app, only=["tokens.grant"], auth={**code, "client_secret": "x"})
    assert refused.failed == ["tokens.grant"]
    given = tokens("epages", app, only=["tokens.grant"], auth={**code, "client_secret": "s"})
    assert given["tokens.grant"].outcome is Outcome.PASSED


# -- obtained credentials stay masked ----------------------------------------------------------


def test_no_report_shows_a_secret_or_an_issued_token() -> None:
    # A server answering the login but ignoring the customer token: a failure whose evidence is
    # a request carrying the issued customer token.
    app = broken.Rewrite(mock_app("elasticpath"), headers=broken.without_header(CUSTOMER_TOKEN))
    secrets = {**customer_login(), "client_id": "my-client-id", "client_secret": "my-secret"}
    report = tokens("elasticpath", app, only=["tokens.shopper"], auth=secrets)
    assert report.failed == ["tokens.shopper"]
    (failure,) = report.failures
    assert failure.curl and '"X-Moltin-Customer-Token: $ISSUED_CUSTOMER_TOKEN"' in failure.curl
    text = str(report.to_dict())
    for value in secrets.values():
        assert value not in text


def test_a_failed_grant_reproduces_with_shell_variables() -> None:
    app = broken.Rewrite(mock_app("epages"), body=broken.on_success(dict, 201), on=EPAGES_TOKEN)
    auth = {"client_id": "my-client-id", "client_secret": "my-secret", "auth_code": "my-code"}
    report = tokens("epages", app, only=["tokens.grant"], auth=auth)
    (failure,) = report.failures
    assert failure.curl is not None
    assert (
        "-d 'code='\"$CARTKIT_AUTH_CODE\"'&client_id='\"$CARTKIT_CLIENT_ID\"'&client_secret="
        '\'"$CARTKIT_CLIENT_SECRET"'
        in failure.curl
        or '"code=$CARTKIT_AUTH_CODE&client_id=$CARTKIT_CLIENT_ID&client_secret='
        '$CARTKIT_CLIENT_SECRET"'
        in failure.curl
    ), failure.curl
    assert "my-secret" not in failure.render()


# -- broken token servers ----------------------------------------------------------------------


def _wrapped(body: Any) -> Any:
    return {"data": body}


def _wrong_identifier(body: Any) -> Any:
    return {**body, "identifier": "client_credentials"}


def _no_source(body: Any) -> Any:
    return {"errors": [{k: v for k, v in e.items() if k != "source"} for e in body["errors"]]}


def _renamed_error(body: Any) -> Any:
    # An unsupported grant type answered as a generic invalid request.
    if body.get("error") == "unsupported_grant_type":
        return {**body, "error": "invalid_request"}
    return body


def _implicit_by_default(form: dict[str, str]) -> dict[str, str]:
    return {"grant_type": "implicit", **form}


def _any_redirect_uri(form: dict[str, str]) -> dict[str, str]:
    # The server redeems the code with whatever redirect URI it was issued for.
    return {k: v for k, v in form.items() if k != "redirect_uri"} | {
        "redirect_uri": "https://cartkit.example/callback"
    }


EP_FULL_REACH = broken.full_reach("test-token", CUSTOMER_TOKEN, ACCOUNT_TOKEN)

TOKEN_CASES = [
    pytest.param(
        "elasticpath",
        lambda app: broken.Rewrite(app, body=broken.on_success(_wrapped), on=EP_ACCESS),
        "tokens.grant",
        {"tokens.conformance.response_schema_conformance"},
        id="elasticpath-token-wrapped-in-data",
    ),
    pytest.param(
        "elasticpath",
        lambda app: broken.Rewrite(app, body=broken.on_success(_wrong_identifier), on=EP_ACCESS),
        "tokens.grant",
        set(),
        id="elasticpath-identifier-wrong",
    ),
    pytest.param(
        "elasticpath",
        lambda app: broken.Rewrite(app, headers=EP_FULL_REACH, on=EP_CARTS),
        "tokens.scope",
        set(),
        id="elasticpath-implicit-token-lists-every-cart",
    ),
    pytest.param(
        "elasticpath",
        lambda app: broken.RewriteForm(app, EP_ACCESS, _implicit_by_default),
        "tokens.errors",
        {"tokens.conformance.negative_data_rejection"},
        id="elasticpath-missing-grant-type-answered-200",
    ),
    pytest.param(
        "elasticpath",
        lambda app: broken.Rewrite(
            app, body=broken.on_status(400, {"error": "invalid_request"}), on=EP_ACCESS
        ),
        "tokens.errors",
        {"tokens.conformance.response_schema_conformance"},
        id="elasticpath-400-not-json-api",
    ),
    pytest.param(
        "elasticpath",
        lambda app: broken.Rewrite(app, body=broken.on_error(400, _no_source), on=EP_ACCESS),
        "tokens.errors",
        set(),
        id="elasticpath-400-names-no-field",
    ),
    pytest.param(
        "nextcommerce",
        lambda app: broken.RewriteForm(app, NC_TOKEN, _any_redirect_uri),
        "tokens.grant",
        set(),
        id="nextcommerce-code-redeemed-with-another-redirect-uri",
    ),
    pytest.param(
        "nextcommerce",
        lambda app: broken.Rewrite(app, headers=broken.full_reach("test-token"), on=NC_CARTS),
        "tokens.scope",
        set(),
        id="nextcommerce-scope-ignored",
    ),
    pytest.param(
        "nextcommerce",
        lambda app: broken.Rewrite(app, body=broken.on_error(400, _renamed_error), on=NC_TOKEN),
        "tokens.errors",
        set(),
        id="nextcommerce-wrong-oauth-error-code",
    ),
    pytest.param(
        "epages",
        lambda app: broken.Rewrite(app, body=broken.on_success(dict, 201), on=EPAGES_TOKEN),
        "tokens.grant",
        {"tokens.conformance.status_code_conformance"},
        id="epages-token-answered-201",
    ),
    pytest.param(
        "epages",
        lambda app: broken.Rewrite(
            app, body=broken.on_error(400, lambda b: {"message": b["message"]}), on=EPAGES_TOKEN
        ),
        "tokens.errors",
        {"tokens.conformance.response_schema_conformance"},
        id="epages-error-without-status",
    ),
    pytest.param(
        "epages",
        lambda app: broken.Rewrite(app, path=broken.any_shop("DemoShop"), on=EPAGES_TOKEN),
        "tokens.errors",
        set(),
        id="epages-token-for-an-unknown-shop",
    ),
]


@pytest.mark.parametrize(("vendor", "wrap", "responsible", "also"), TOKEN_CASES)
def test_a_broken_token_server_fails_the_responsible_check(
    vendor: str, wrap: Wrap, responsible: str, also: set[str]
) -> None:
    auth = customer_login() if vendor == "elasticpath" else {}
    report = tokens(vendor, wrap(mock_app(vendor)), auth=auth)
    known = {name for name in KNOWN_MOCK_BUGS.get(vendor, set()) if name.startswith("tokens.")}
    # The bug is the responsible check's (and, where a schema shows it, conformance's) alone.
    assert responsible in report.failed, f"{responsible} passed; failed: {report.failed}"
    assert set(report.failed) - known <= {responsible, *also}, problems(report)
    failure = next(f for f in report.failures if f.check == responsible)
    assert failure.expected and failure.received
    assert failure.curl and failure.curl.startswith("curl ")


def test_a_customer_token_that_does_not_narrow_fails_the_shopper_check() -> None:
    app = broken.Rewrite(mock_app("elasticpath"), headers=broken.without_header(CUSTOMER_TOKEN))
    report = tokens("elasticpath", app, auth=customer_login())
    assert report.failed == ["tokens.shopper"], problems(report)


@pytest.mark.parametrize(
    ("vendor", "wrap"),
    [
        pytest.param(
            "elasticpath",
            lambda app: broken.Rewrite(app, headers=EP_FULL_REACH, on=EP_CARTS),
            id="elasticpath-implicit-token-lists-every-cart",
        ),
        pytest.param(
            "nextcommerce",
            lambda app: broken.Rewrite(app, headers=broken.full_reach("test-token"), on=NC_CARTS),
            id="nextcommerce-scope-ignored",
        ),
    ],
)
def test_a_token_bug_in_the_list_endpoint_leaves_the_list_groups_passing(
    vendor: str, wrap: Wrap
) -> None:
    # These two bugs live in the list endpoint itself: only the token checks may see them.
    report = run(vendor, wrap(mock_app(vendor)), skip=["tokens", "conformance"])
    assert not report.failed, problems(report)
