"""29 Next's OAuth 2.0 authorization-code flow (``specs/tokens/nextcommerce.yaml``): ``GET
/oauth2/authorize/`` redirects to the app's ``redirect_uri`` with a ``code``, ``POST
/oauth2/token/`` exchanges it (or a refresh token) for an access token, whose scope decides
whether the carts list answers (``carts:read`` or ``admin:read``) or refuses it (403).

On a real store, authorize shows a person a login and consent page: the flow cannot run
unattended, so the grant and scope checks skip when authorize does not redirect to the
redirect URI. Errors are RFC 6749 §5.2 ``{"error", "error_description"}``.

Docs: https://developers.nextcommerce.com/docs/apps/oauth/getting-started; RFC 6749 §4.1.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..errors import Skip, Violation
from ..paging import snippet
from .tokens import Issued, Refusal, TokenOracle

AUTHORIZE, TOKEN = "/oauth2/authorize/", "/oauth2/token/"
# Where the code is sent: a reserved name (RFC 2606), so no real app ever receives it.
REDIRECT_URI = "https://cartkit.example/callback"
CARTS, OTHER = "carts:read", "orders:read"  # a scope that lists carts, one that does not
_CARTS_SCOPES = frozenset({"carts:read", "admin:read"})
_FORGED_CODE = "cartkit-code-this-server-never-issued"


class NextCommerceTokens(TokenOracle):
    """29 Next's authorization-code and refresh-token grants."""

    vendor = "nextcommerce"
    narrows = True

    def grants(self) -> list[Issued]:
        self._code_is_bound_to_its_redirect_uri()
        first = self._token(self._form(self._code(CARTS)), CARTS)
        token = self.exchange.issued(first["access_token"], "ISSUED_ACCESS_TOKEN")
        refresh = self.exchange.issued(first["refresh_token"], "ISSUED_REFRESH_TOKEN")
        client = {
            "client_id": self.exchange.client_id,
            "client_secret": self.exchange.client_secret,
        }
        again = self._token(
            {"grant_type": "refresh_token", "refresh_token": refresh, **client}, CARTS
        )
        refreshed = self.exchange.issued(again["access_token"], "ISSUED_REFRESHED_TOKEN")
        return [Issued("authorization_code", token), Issued("refresh_token", refreshed)]

    def narrower(self) -> list[Issued]:
        body = self._token(self._form(self._code(OTHER)), OTHER)
        token = self.exchange.issued(body["access_token"], "ISSUED_NARROW_TOKEN")
        if token == self.exchange.target.credentials.token:
            raise Skip(
                f"a {OTHER} token is the --token credential itself (as cartkit's mock started "
                "with --token hands out), so its narrower scope cannot show"
            )
        return [Issued(f"authorization_code (scope {OTHER})", token, lists=False)]

    def refusals(self) -> list[Refusal]:
        client = {
            "client_id": self.exchange.client_id,
            "client_secret": self.exchange.client_secret,
        }
        code = {"grant_type": "authorization_code", "redirect_uri": REDIRECT_URI, **client}
        return [
            Refusal("no grant_type", TOKEN, 400, client, "invalid_request"),
            Refusal(
                "an unsupported grant_type",
                TOKEN,
                400,
                {**client, "grant_type": "password"},
                "unsupported_grant_type",
            ),
            Refusal("authorization_code without a code", TOKEN, 400, code, "invalid_request"),
            Refusal(
                "a code this server never issued",
                TOKEN,
                400,
                {**code, "code": _FORGED_CODE},
                "invalid_grant",
            ),
        ]

    def refusal_problems(self, refusal: Refusal, body: Any) -> list[str]:
        if body.get("error") == refusal.names:
            return []
        return [f"error {body.get('error')!r}, expected {refusal.names!r} (RFC 6749 §5.2)"]

    # -- the flow --------------------------------------------------------------------------

    def _code(self, scope: str) -> str:
        """Ask authorize for a code for *scope*; skip when it does not redirect to us."""
        exchange = self.exchange
        state = hashlib.sha256(f"cartkit:{scope}".encode()).hexdigest()[:16]
        params = {
            "response_type": "code",
            "client_id": exchange.client_id,
            "redirect_uri": REDIRECT_URI,
            "scope": scope,
            "state": state,
        }
        response = exchange.send("get", AUTHORIZE, params=params)
        location = response.headers.get("location", "")
        if not response.is_redirect or not location.startswith(REDIRECT_URI):
            where = f" to {location.split('?')[0]}" if location else ""
            unknown = " (or it does not know the made-up client: pass --client-id)"
            raise Skip(
                f"authorize answered {response.status_code}{where}, not a redirect to the app: "
                "a real store asks a person to log in and consent, so the authorization-code "
                "flow cannot run unattended" + (unknown if exchange.made_up(secret=False) else "")
            )
        answer = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        expected = {"code": "a code", "state": repr(state), "store": "the store's host"}
        problems = [
            f"{name} {answer.get(name)!r}, expected {want}"
            for name, want in expected.items()
            if not answer.get(name) or (name == "state" and answer[name] != state)
        ]
        if "error" in answer:
            problems.insert(0, f"error {answer['error']!r}")
        if problems:
            raise Violation(
                "Wrong authorization redirect",
                f"{REDIRECT_URI}?store=...&code=...&state={state} (RFC 6749 §4.1.2)",
                f"{'; '.join(problems)} in Location: {location[:200]}",
                response.request,
            )
        return exchange.issued(answer["code"], "ISSUED_CODE")

    def _code_is_bound_to_its_redirect_uri(self) -> None:
        """RFC 6749 §4.1.3: a code exchanged with another redirect URI is ``invalid_grant``."""
        form = self._form(self._code(CARTS))
        form["redirect_uri"] = REDIRECT_URI + "/elsewhere"
        response = self.exchange.send("post", TOKEN, form=form)
        body: Any = None
        if response.status_code == 400:
            body = self.exchange.body(response, self.exchange.operation(TOKEN, "post"), 400)
        if not isinstance(body, dict) or body.get("error") != "invalid_grant":
            raise Violation(
                "Code accepted with another redirect_uri",
                "400 invalid_grant: a code is good only with the redirect_uri it was issued "
                "for (RFC 6749 §4.1.3)",
                snippet(response),
                response.request,
            )

    def _form(self, code: str) -> dict[str, str]:
        return {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": self.exchange.client_id,
            "client_secret": self.exchange.client_secret,
        }

    def _token(self, form: dict[str, str], scope: str) -> dict[str, Any]:
        """POST the token endpoint; the answer must grant *scope* (or all of carts' reach)."""
        exchange = self.exchange
        response = exchange.send("post", TOKEN, form=form)
        what = f"the {form['grant_type']} grant"
        body = exchange.answer(response, TOKEN, what, secret=True)
        granted = set(str(body["scope"]).split())
        if scope == CARTS and not granted & _CARTS_SCOPES:
            raise Violation(
                f"Wrong scope from {what}",
                f"a scope covering {CARTS}, as asked for",
                f"scope {body['scope']!r}",
                response.request,
            )
        if scope == OTHER and granted & _CARTS_SCOPES:
            raise Skip(f"the server granted {body['scope']!r} when asked for {OTHER}")
        return body


TOKENS = NextCommerceTokens
