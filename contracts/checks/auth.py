"""The ``auth`` group: a missing or malformed credential is refused with the documented status
and envelope; a shopper token narrows the list to its owner's carts; two shopper tokens at once
are refused (Elastic Path).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from hypothesis import strategies as st

from ..errors import Skip, Violation
from ..oracle import Shopper
from ..paging import Session
from .context import Check, Context
from .refusals import refusal

__all__ = [
    "both_shopper_tokens",
    "checks",
    "malformed",
    "missing",
    "owned_only",
    "shopper_token",
]


def checks(ctx: Context) -> Iterator[Check]:
    """The group's checks for *ctx*'s vendor, in report order."""
    yield Check("auth.missing", missing, 1)
    yield Check("auth.malformed", malformed, 1)
    if ctx.oracle.shoppers():
        yield Check("auth.shopper_token", shopper_token, 1)
    if ctx.oracle.shopper_conflict is not None:
        yield Check("auth.both_shopper_tokens", both_shopper_tokens, 1)


def missing(ctx: Context, data: st.DataObject) -> None:
    """A request without the credential is refused as documented."""
    _refused(ctx.session, ctx.session.target.extra_headers(), missing=True)


def malformed(ctx: Context, data: st.DataObject) -> None:
    """Each malformed credential (a wrong scheme, an empty bearer, a bad key) is refused."""
    for headers in ctx.oracle.malformed_credentials(ctx.session.target.headers()):
        _refused(ctx.session, headers, missing=False)


def shopper_token(ctx: Context, data: st.DataObject) -> None:
    """With a shopper token, every listed cart belongs to that token's customer or account.

    A token that names its owner (``Shopper.identity``) must be that owner; an opaque one (a
    vendor JWT) must at least give carts that all share one owner.
    """
    session = ctx.session
    target, oracle = session.target, session.oracle
    shoppers = oracle.shoppers()
    given = [s for s in shoppers if getattr(target.credentials, s.credential)]
    if not given:
        options = " or ".join("--" + s.credential.replace("_", "-") for s in shoppers)
        raise Skip(f"no shopper token given ({options}), so the list is not one shopper's")
    shopper = given[0]
    owned_only(session, shopper, shopper.identity(getattr(target.credentials, shopper.credential)))


def both_shopper_tokens(ctx: Context, data: st.DataObject) -> None:
    """Both shopper headers at once get the documented refusal (Elastic Path: 403).

    The token the user gave goes in its header, the spec's example in the other. With no token
    given, both are made up, so a server refusing them as invalid passes as well.
    """
    session = ctx.session
    target, oracle = session.target, session.oracle
    if oracle.shopper_conflict is None:
        raise Skip(f"{oracle.vendor} documents no refusal of several shopper tokens")
    headers = target.headers()
    for shopper in oracle.shoppers():
        # The user's own token where given, else the spec's example: the refusal must come
        # from sending both, whatever they hold.
        example = target.contract.parameters.get(shopper.header, {}).get("example")
        value = getattr(target.credentials, shopper.credential) or example or "cartkit"
        headers[shopper.header] = str(value)
    names = " and ".join(s.header for s in oracle.shoppers())
    refusal(session, f"both {names}", oracle.shopper_conflict, headers=headers)


def owned_only(session: Session, shopper: Shopper, owner: str | None) -> None:
    """Every cart the session's credentials list belongs to *owner* (``None``: to one owner)."""
    oracle = session.oracle
    universe = session.universe()
    if not universe.carts:
        raise Skip(f"the {shopper.owner} token lists no carts, so none can belong to another")
    shared: set[str] | None = None  # owners common to the carts so far (opaque tokens)
    for page, sent in universe.pages:
        for cart in page.carts:
            owners = shopper.owners(cart)
            shared = owners if shared is None else shared & owners
            if owner in owners or (owner is None and shared):
                continue
            expected = f"{shopper.owner} {owner!r}" if owner else f"one {shopper.owner}"
            raise Violation(
                f"Carts of another {shopper.owner} listed for its {shopper.header}",
                f"only carts of {expected} (the token's)",
                f"cart {oracle.cart_id(cart)!r} of {shopper.owner}s {sorted(owners)}",
                sent,
            )


def _refused(session: Session, headers: Mapping[str, str], *, missing: bool) -> None:
    """Send *headers* (no or a malformed credential) and require the documented refusal."""
    what = "no credential" if missing else "a malformed credential"
    body = refusal(session, what, session.oracle.auth_status, headers=headers)
    if problems := session.oracle.auth_problems(body, missing=missing):
        raise Violation(
            "Wrong auth error",
            "the documented error",
            "; ".join(problems),
            session.last_request,
        )
