"""ePages' token step: an app exchanges its installation code for the shop's access token.

Docs: https://developer.epages.com/apps/install-app.html; the contract is
``specs/tokens/epages.yaml``. ``POST {api_url}/token`` (``/rs/shops/{shopId}/token``, form-encoded
``code``, ``client_id``, ``client_secret``) answers ``{"access_token": ...}``, the shop's permanent
token. Installation codes come from ePages' shop administration, which the mock does not have,
so any code is accepted; the token is derived from the shop, client and code (``--token`` when
set), so the same exchange gives the same token in every worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..bodies import read_form
from ..tokens import TokenEndpoints
from ..vendor import json_response

if TYPE_CHECKING:
    from .epages import EPages

__all__ = ["EPagesTokens"]

_TOKEN = "/rs/shops/{shopId}/token"


class EPagesTokens(TokenEndpoints):
    """The token endpoint of one ePages mock."""

    vendor: EPages

    def __init__(self, vendor: EPages) -> None:
        super().__init__(vendor)
        self._body = self.body(_TOKEN)

    def routes(self) -> list[Route]:
        return [self.route(_TOKEN, self.token)]

    async def token(self, request: Request) -> Response:
        """``POST /rs/shops/{shopId}/token``: the shop's access token for an installation."""
        shop = request.path_params["shopId"]
        self.vendor.check_shop(shop)
        form = await read_form(request)
        self._body.check(form)
        self.issuer.check_client(form["client_id"], form["client_secret"])
        token = self.issuer.access_token("app", shop, form["client_id"], form["code"])
        return json_response(
            {"access_token": token},
            headers={"X-epages-Media-Type": "application/vnd.epages.v1+json"},
        )
