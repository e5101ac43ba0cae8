"""Next Commerce's OAuth 2.0 authorization-code flow: ``/oauth2/authorize/``, ``/oauth2/token/``.

Docs: https://developers.nextcommerce.com/docs/apps/oauth/getting-started; the contract is
``specs/tokens/nextcommerce.yaml``. The store is a Django app served with django-oauth-toolkit,
so what the docs leave out (errors) follows RFC 6749 as that library answers it.

- ``GET /oauth2/authorize/`` consents at once (the mock has no merchant to ask) and redirects to
  ``redirect_uri`` with ``store`` (this host) and ``code`` (and ``state``).
- ``POST /oauth2/token/`` (form-encoded) exchanges the code, or a refresh token, for an access
  token. Codes and refresh tokens are signed claims (client, redirect URI, scope), so any worker
  can redeem them; access tokens say whether their scope covers the carts list, which refuses
  those that do not (403), as the Admin API does.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ..bodies import read_form
from ..errors import ApiError, Problem
from ..site import site
from ..tokens import TokenEndpoints
from ..validation import Parameters
from ..vendor import json_response

if TYPE_CHECKING:
    from .nextcommerce import NextCommerce

__all__ = ["CARTS", "OTHER", "SCOPES", "NextCommerceTokens"]

CARTS, OTHER = "carts", "other"
SCOPES = (CARTS, OTHER)
"""Kinds of access token: its scope covers the carts list, or it does not."""

_CODE, _REFRESH = "authorization_code", "refresh_token"
_CARTS_SCOPES = frozenset({"carts:read", "admin:read"})
_EXPIRES_IN = 15_778_476_000  # the docs' example answer
_AUTHORIZE, _TOKEN = "/oauth2/authorize/", "/oauth2/token/"


class OAuthError(ApiError):
    """A refusal with its RFC 6749 §5.2 error code (``invalid_grant``, ...)."""

    def __init__(self, code: str, message: str, *, param: str | None = None) -> None:
        problem = Problem.INVALID_CREDENTIALS if code == "invalid_client" else Problem.BAD_PARAMETER
        super().__init__(problem, message, param=param)
        self.code = code


class NextCommerceTokens(TokenEndpoints):
    """The authorize and token endpoints of one Next Commerce mock."""

    vendor: NextCommerce

    def __init__(self, vendor: NextCommerce) -> None:
        super().__init__(vendor)
        self._authorize = Parameters.from_spec(self.spec, _AUTHORIZE, "get")
        self._token = self.body(_TOKEN)

    def routes(self) -> list[Route]:
        return [
            self.route(_AUTHORIZE, self.authorize, method="GET"),
            self.route(_TOKEN, self.token),
        ]

    async def authorize(self, request: Request) -> Response:
        """``GET /oauth2/authorize/``: consent, then redirect with a code.

        What can be answered is decided by the client and its redirect URI: when either is
        refused, nothing is redirected and a page says why; any other bad parameter is sent
        back to the redirect URI as ``error=invalid_request`` (RFC 6749 §4.1.2.1).
        """
        query = request.query_params
        raw = {key: query.getlist(key) for key in query}
        try:
            client_id, target = self._read(raw, "client_id"), self._read(raw, "redirect_uri")
            self.issuer.check_client(client_id, secret=False)
        except ApiError as exc:
            refused = exc.problem is Problem.INVALID_CREDENTIALS
            return _page(400, "invalid_client" if refused else "invalid_request", exc.message)
        answer: dict[str, str] = {}
        try:
            params = self._authorize.parse(raw, request.headers, {})
        except ApiError as exc:
            answer = {"error": "invalid_request", "error_description": exc.message}
            state = raw.get("state", [])
            if len(state) == 1 and exc.param != "state":
                answer["state"] = state[0]
        else:
            if params["response_type"] != "code":
                answer["error"] = "unsupported_response_type"
            else:
                answer["store"] = site(request).partition("://")[2]
                claims = {"client_id": client_id, "redirect_uri": target, "scope": params["scope"]}
                answer["code"] = self.issuer.seal(_CODE, claims)
            if params["state"] is not None:
                answer["state"] = params["state"]
        joiner = "&" if urlsplit(target).query else "?"
        return RedirectResponse(f"{target}{joiner}{urlencode(answer)}", status_code=302)

    def _read(self, raw: dict[str, list[str]], name: str) -> Any:
        """One authorize parameter, checked against the token document (400 naming it)."""
        values = raw.get(name)
        if not values:
            raise ApiError(
                Problem.BAD_PARAMETER, f"Missing required parameter {name!r}", param=name
            )
        return self._authorize.by_name[name].read(values)

    async def token(self, request: Request) -> Response:
        """``POST /oauth2/token/``: an access token for a code or a refresh token."""
        form = await read_form(request)
        grant = form.get("grant_type")
        if grant is not None and grant not in {_CODE, _REFRESH}:
            raise OAuthError(
                "unsupported_grant_type",
                f"Unsupported grant_type {grant[:60]!r}: use {_CODE} or {_REFRESH}",
                param="grant_type",
            )
        self._token.check(form)
        needed = ("code", "redirect_uri") if grant == _CODE else ("refresh_token",)
        for name in (*needed, "client_id", "client_secret"):
            if not form.get(name):
                raise OAuthError("invalid_request", f"Missing {name} parameter.", param=name)
        self.issuer.check_client(form["client_id"], form["client_secret"])
        if grant == _CODE:
            claims = self._redeem(_CODE, "code", form)
            if claims["redirect_uri"] != form["redirect_uri"]:
                raise OAuthError("invalid_grant", "Mismatching redirect URI.", param="redirect_uri")
        else:
            claims = self._redeem(_REFRESH, "refresh_token", form)
        scope = str(claims["scope"])
        kind = CARTS if _CARTS_SCOPES & set(scope.split()) else OTHER
        refresh = self.issuer.seal(_REFRESH, {"client_id": form["client_id"], "scope": scope})
        return json_response(
            {
                "access_token": self.issuer.access_token(kind, form["client_id"], scope),
                "expires_in": _EXPIRES_IN,
                "token_type": "Bearer",
                "scope": scope,
                "refresh_token": refresh,
            }
        )

    def error(self, error: ApiError) -> Response:
        """RFC 6749 §5.2: ``{"error", "error_description"}``; 401 for ``invalid_client``."""
        code = getattr(error, "code", None) or {
            Problem.INVALID_CREDENTIALS: "invalid_client",
            Problem.SERVER_ERROR: "server_error",
        }.get(error.problem, "invalid_request")
        status = {"invalid_client": 401, "server_error": 500}.get(code, 400)
        return json_response({"error": code, "error_description": error.message}, status)

    def _redeem(self, kind: str, field: str, form: dict[str, str]) -> dict[str, Any]:
        """The claims of the code or refresh token in *field*, issued to this client."""
        claims = self.issuer.unseal(form[field], kind)
        if claims is None or claims.get("client_id") != form["client_id"]:
            raise OAuthError("invalid_grant", f"Invalid {field.replace('_', ' ')}.", param=field)
        return claims


def _page(status: int, code: str, message: str) -> Response:
    """The error page the merchant's browser shows when it cannot be sent back."""
    body = (
        "<!doctype html><title>Authorization error</title>"
        f"<h1>Error: {escape(code)}</h1><p>{escape(message)}</p>"
    )
    return HTMLResponse(body, status_code=status)
