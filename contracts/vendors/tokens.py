"""Vendor knowledge for the token checks: one :class:`TokenOracle` per vendor with a token
document (``contracts.vendors.<vendor>_tokens``).

A token oracle takes the vendor's documented grants end to end (Elastic Path's two grants, the
29 Next authorization-code flow, the ePages code exchange), says which issued tokens must list
carts and which are narrower (refused 403 by the list), which token requests must be refused
before any credential is checked, and what the vendor's refusal names (the field, the RFC 6749
error code). What the document states (statuses, bodies) is validated by the :class:`Exchange`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar

from ..errors import Skip
from ..exchange import Exchange
from ..oracle import Oracle
from ..paging import Session
from ..spec import TokenDocument

__all__ = ["Issued", "Login", "Refusal", "TokenOracle", "token_oracle_for"]


@dataclass(frozen=True, slots=True)
class Issued:
    """A token a documented grant issued, and whether the carts list must accept it."""

    grant: str  # how it was obtained, for reports ("client_credentials")
    token: str
    lists: bool = True  # False: a narrower token, which the list refuses (403)


@dataclass(frozen=True, slots=True)
class Login:
    """A shopper token a login issued: the credential it stands for and whose carts it lists."""

    credential: str  # the Credentials field of such a token ("customer_token")
    token: str
    owner: str  # the id the carts must belong to (the customer id)


@dataclass(frozen=True, slots=True)
class Refusal:
    """A token request the server must refuse before it checks any credential.

    ``names`` is what the refusal must name beyond the documented envelope: the field (Elastic
    Path's ``source``) or the RFC 6749 error code (29 Next), checked by the oracle.
    """

    what: str  # "no grant_type"
    route: str  # the token document's path
    status: int
    form: dict[str, str] | None = None
    names: str | None = None
    shop_id: str | None = None  # another shop than the configured one (an unknown shop)
    method: str = "post"


class TokenOracle(ABC):
    """What cartkit knows about one vendor's token endpoints."""

    vendor: ClassVar[str]
    client_refusal: ClassVar[int] = 401  # the status of an unknown client
    narrows: ClassVar[bool] = False  # it documents tokens the list refuses (a grant, a scope)
    logs_in: ClassVar[bool] = False  # it documents a customer login that narrows the list

    def __init__(self, exchange: Exchange, oracle: Oracle) -> None:
        self.exchange = exchange
        self.oracle = oracle

    @abstractmethod
    def grants(self) -> list[Issued]:
        """Take every documented grant, each answer checked beyond its schema.

        Raises:
            Skip: the grant cannot be taken unattended or with a made-up client or code.
            Violation: an answer breaks the contract.
        """

    def narrower(self) -> list[Issued]:
        """Tokens the carts list must refuse with 403 (``[]``: none documented)."""
        return []

    @abstractmethod
    def refusals(self) -> list[Refusal]:
        """Token requests refused whatever credentials are configured."""

    def refusal_problems(self, refusal: Refusal, body: Any) -> list[str]:
        """What in a refusal's *body* disagrees with the request (beyond the schema)."""
        return self.oracle.error_problems(body, refusal.status)

    def customer_login(self) -> Login:
        """Log the ``--customer-email`` customer in.

        Raises:
            Skip: no customer login given, or the vendor documents none.
        """
        raise Skip(f"{self.vendor} documents no customer login")


def token_oracle_for(session: Session, document: TokenDocument) -> TokenOracle:
    """The token oracle of the session's vendor (``contracts.vendors.<vendor>_tokens.TOKENS``),
    talking to its token endpoints through an :class:`Exchange` of *session*."""
    # Imported here, by name: the vendor modules import this one (see ``oracle_for``).
    from . import elasticpath_tokens, epages_tokens, nextcommerce_tokens

    modules = (elasticpath_tokens, epages_tokens, nextcommerce_tokens)
    oracles: dict[str, type[TokenOracle]] = {m.TOKENS.vendor: m.TOKENS for m in modules}
    cls = oracles[document.vendor]
    return cls(Exchange(session, document, cls.client_refusal), session.oracle)
