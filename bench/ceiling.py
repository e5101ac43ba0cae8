"""The ceiling: a bare Starlette endpoint on uvicorn answering precomputed response bytes.

It sits on the mock's stack (Starlette routing, uvicorn with the flags ``cartkit serve`` uses) but
does no work per request beyond a dictionary lookup, so its throughput is the most any Starlette
app could reach on this machine for the same bytes.

Run: ``python -m bench.ceiling --port 8123 --bodies bodies.json`` (bodies from :func:`write_bodies`).
"""

from __future__ import annotations

import argparse
import base64
import json
from collections.abc import Sequence
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

__all__ = ["Canned", "create_app", "main", "write_bodies"]

Canned = tuple[int, str, bytes]  # status, content type, body


def write_bodies(path: Path, route: str, answers: dict[str, Canned]) -> None:
    """Save the answers (raw query string -> canned response) for the endpoint at *route*."""
    document = {
        "route": route,
        "answers": {
            query: [status, media, base64.b64encode(body).decode("ascii")]
            for query, (status, media, body) in answers.items()
        },
    }
    path.write_text(json.dumps(document))


def create_app(route: str, answers: dict[str, Canned]) -> Starlette:
    """One route answering each known query string with its canned bytes (404 otherwise)."""
    table = {query.encode("latin-1"): answer for query, answer in answers.items()}

    async def endpoint(request: Request) -> Response:
        answer = table.get(request.scope["query_string"])
        if answer is None:
            return Response(b"unknown query", status_code=404)
        status, media, body = answer
        return Response(body, status_code=status, media_type=media)

    return Starlette(routes=[Route(route, endpoint)])


def _load(path: Path) -> tuple[str, dict[str, Canned]]:
    document = json.loads(path.read_text())
    answers = {
        query: (int(status), str(media), base64.b64decode(body))
        for query, (status, media, body) in document["answers"].items()
    }
    return document["route"], answers


def main(argv: Sequence[str] | None = None) -> None:
    """Serve the canned answers of ``--bodies`` on 127.0.0.1."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bodies", type=Path, required=True)
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    route, answers = _load(args.bodies)
    # The same uvicorn options as `cartkit serve` (mockserver/cli.py).
    uvicorn.run(
        create_app(route, answers),
        host="127.0.0.1",
        port=args.port,
        log_level=args.log_level,
        access_log=False,
    )


if __name__ == "__main__":
    main()
