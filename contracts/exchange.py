"""Talking to a vendor's token endpoints: the requests the token checks send, the answers they
require, and the credentials obtained on the way.

An :class:`Exchange` sends to the token document's routes on the target's server (beside the
list endpoint, with the same rate limit and request count), requires the documented status and
body of the operation (the token document's schema), and masks every credential it obtains, so a
report shows ``$ISSUED_...`` instead of a token a real server handed out.

Without ``--client-id`` (and ``--client-secret``) the requests carry a made-up client: cartkit's
mock accepts any client, a real server refuses it, and that refusal is a reason to skip ("pass
--client-id"), never a contract failure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from .errors import Skip, Violation
from .paging import Session, snippet
from .reading import GaveUp, json_body
from .spec import Operation, TokenDocument

__all__ = ["MADE_UP_CLIENT_ID", "MADE_UP_CLIENT_SECRET", "Exchange"]

MADE_UP_CLIENT_ID = "cartkit-made-up-client"
MADE_UP_CLIENT_SECRET = "cartkit-made-up-secret"


class Exchange:
    """The token endpoints of one target, as its token document describes them.

    Args:
        session: the run's session (target, list oracle, the last request for evidence).
        document: the vendor's token document.
        client_refusal: the status a server answers an unknown client with (ePages: 403).
    """

    def __init__(self, session: Session, document: TokenDocument, client_refusal: int) -> None:
        self.session = session
        self.target = session.target
        self.document = document
        self.client_refusal = client_refusal

    # -- the client ------------------------------------------------------------------------

    @property
    def client_id(self) -> str:
        """``--client-id``, or a made-up one."""
        return self.target.credentials.client_id or MADE_UP_CLIENT_ID

    @property
    def client_secret(self) -> str:
        """``--client-secret``, or a made-up one."""
        return self.target.credentials.client_secret or MADE_UP_CLIENT_SECRET

    def made_up(self, *, secret: bool) -> bool:
        """True when the client sent (with its secret, if *secret*) was not given by the user."""
        creds = self.target.credentials
        return not creds.client_id or (secret and not creds.client_secret)

    # -- requests --------------------------------------------------------------------------

    def send(
        self,
        method: str,
        route: str,
        *,
        form: Mapping[str, str] | None = None,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        bearer: bool = False,
        shop_id: str | None = None,
    ) -> httpx.Response:
        """Send to the token document's *route*; with *bearer*, the user's credential too."""
        headers = {"Accept": "application/json", **(self.target.auth_headers() if bearer else {})}
        request = self.target.client.build_request(
            method.upper(),
            self.target.url_of(route, shop_id),
            data=dict(form) if form is not None else None,
            json=json,
            params=dict(params) if params is not None else None,
            headers=headers,
        )
        self.session.last_request = request
        try:
            response = self.target.send(request)
        except GaveUp as exc:
            raise Skip(str(exc)) from None
        except httpx.TransportError as exc:
            raise Violation(
                "Request failed", "a response", f"{type(exc).__name__}: {exc}", request
            ) from None
        self.session.last_request = response.request
        return response

    def answer(
        self, response: httpx.Response, route: str, what: str, *, status: int = 200, secret: bool
    ) -> dict[str, Any]:
        """The documented *status* body of *route*'s answer to *what* (a grant, a login).

        Raises:
            Skip: the server refused a made-up client (*secret*: a secret was sent too).
            Violation: another status, or a body the token document does not allow.
        """
        if response.status_code == self.client_refusal and self.made_up(secret=secret):
            options = "--client-id and --client-secret" if secret else "--client-id"
            raise Skip(
                f"{what} refused the made-up client {self.client_id!r} "
                f"({response.status_code}): pass {options} of a client this server knows"
            )
        if response.status_code != status:
            raise Violation(
                f"{what[0].upper()}{what[1:]} failed",
                f"{status} with the documented body",
                snippet(response),
                response.request,
            )
        body = self.body(response, self.operation(route, response.request.method), status)
        if not isinstance(body, dict):
            raise Violation(
                f"Unreadable answer to {what}", "a JSON object", snippet(response), response.request
            )
        return body

    def body(self, response: httpx.Response, operation: Operation, status: int) -> Any:
        """The JSON body of *response*, required to match *operation*'s documented *status*."""
        try:
            body = json_body(response)
        except ValueError:
            raise Violation(
                f"{status} without a JSON body",
                f"the documented {status} body of {operation.method.upper()} {operation.route}",
                snippet(response),
                response.request,
            ) from None
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if problems := operation.validate(status, body, media):
            raise Violation(
                f"Wrong {status} body",
                f"a body matching the documented {status} response of "
                f"{operation.method.upper()} {operation.route}",
                f"{'; '.join(problems)} in {snippet(response)}",
                response.request,
            )
        return body

    def operation(self, route: str, method: str) -> Operation:
        """The token document's operation at *route*."""
        return self.document.operation(route, method.lower())

    def issued(self, value: Any, variable: str) -> str:
        """A credential the server issued: a non-empty string, masked as ``$variable`` from now."""
        if not isinstance(value, str) or not value:
            raise Violation(
                "No credential issued",
                f"a non-empty string for {variable.lower()}",
                repr(value)[:200],
                self.session.last_request,
            )
        self.target.remember(value, variable)
        return value

    # -- the list, with an issued token ----------------------------------------------------

    def list_with(self, token: str, **shoppers: str | None) -> httpx.Response:
        """GET the first page of the carts list with *token* as the bearer (and the given
        shopper tokens only: any the user passed are left out)."""
        changes = {"customer_token": None, "account_token": None, **shoppers}
        with self.target.acting_as(token=token, **changes):
            return self.session.fetch(self.session.oracle.page_params(None, 0))
