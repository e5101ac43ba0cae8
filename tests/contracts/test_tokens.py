"""The token checks: they pass on the mock, skip with a reason where they cannot run, and never
leak an obtained credential. That each bites is shown by the broken token servers of
``tests/contracts/bugs/tokens.py``."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.responses import HTMLResponse

from cartkit.contracts import Outcome, Report
from cartkit.mockserver import create_app
from tests.contracts import broken, changes
from tests.contracts.conftest import CARTS, customer_login, mock_app, run

TOKEN_CHECKS = {
    "elasticpath": ["tokens.grant", "tokens.scope", "tokens.errors", "tokens.shopper"],
    "nextcommerce": ["tokens.grant", "tokens.scope", "tokens.errors"],
    "epages": ["tokens.grant", "tokens.errors"],
}
CUSTOMER_TOKEN = "X-Moltin-Customer-Token"
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
    app = broken.Rewrite(mock_app("elasticpath"), headers=changes.without_header(CUSTOMER_TOKEN))
    secrets = {**customer_login(), "client_id": "my-client-id", "client_secret": "my-secret"}
    report = tokens("elasticpath", app, only=["tokens.shopper"], auth=secrets)
    assert report.failed == ["tokens.shopper"]
    (failure,) = report.failures
    assert failure.curl and '"X-Moltin-Customer-Token: $ISSUED_CUSTOMER_TOKEN"' in failure.curl
    text = str(report.to_dict())
    for value in secrets.values():
        assert value not in text


def test_a_failed_grant_reproduces_with_shell_variables() -> None:
    app = broken.Rewrite(mock_app("epages"), body=changes.on_success(dict, 201), on=EPAGES_TOKEN)
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
