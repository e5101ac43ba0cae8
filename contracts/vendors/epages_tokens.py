"""ePages' app token step (``specs/tokens/epages.yaml``): ``POST /rs/shops/{shopId}/token``
exchanges the installation's ``code`` and the app's client id and secret for the shop's
permanent ``access_token``, which lists the shop's carts.

A real ePages code is a one-time installation code sent to the app's callback: a made-up code
is rightly refused, so without ``--auth-code`` a refusal skips the grant check (with the
reason); with one, a refusal is a failure. Refusals are ``{message, status}`` with the status as
a string, and 403 (ePages documents no 401) for an unknown client.

Docs: https://developer.epages.com/apps/install-app.html, .../apps/response-codes.html.
"""

from __future__ import annotations

import hashlib

from ..errors import Skip
from .tokens import Issued, Refusal, TokenOracle

TOKEN = "/rs/shops/{shopId}/token"
_MADE_UP_CODE = "cartkit-made-up-installation-code"


class EPagesTokens(TokenOracle):
    """The ePages code exchange."""

    vendor = "epages"
    client_refusal = 403  # ePages answers auth failures with 403, never 401

    def grants(self) -> list[Issued]:
        exchange = self.exchange
        given = exchange.target.credentials.auth_code
        form = {"code": given or _MADE_UP_CODE, **self._client()}
        response = exchange.send("post", TOKEN, form=form)
        if not given and response.status_code in (400, 403):
            raise Skip(
                f"the made-up installation code was refused ({response.status_code}), as a real "
                "ePages shop refuses any code it did not send: pass --auth-code (with "
                "--client-id and --client-secret) from an app installation"
            )
        body = exchange.answer(response, TOKEN, "the code exchange", secret=True)
        return [Issued("code exchange", exchange.issued(body["access_token"], "ISSUED_TOKEN"))]

    def refusals(self) -> list[Refusal]:
        client = self._client()
        # Derived from the real shop id, so it never is that shop; well-formed (the document's
        # pattern), so the answer must be 404 rather than a 400 for a malformed id.
        digest = hashlib.sha256(self.exchange.target.shop_id.encode()).hexdigest()[:12]
        return [
            Refusal("no code", TOKEN, 400, client),
            Refusal(
                "no client_secret",
                TOKEN,
                400,
                {"code": _MADE_UP_CODE, "client_id": client["client_id"]},
            ),
            Refusal(
                "an unknown shop",
                TOKEN,
                404,
                {"code": _MADE_UP_CODE, **client},
                shop_id=f"cartkit-no-such-shop-{digest}",
            ),
        ]

    def _client(self) -> dict[str, str]:
        return {"client_id": self.exchange.client_id, "client_secret": self.exchange.client_secret}


TOKENS = EPagesTokens
