"""The HTTP seam every route shares: read a JSON body within the size limit, render a result."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .config import MockConfig
from .errors import InvalidRequest, PayloadTooLarge
from .resource import Resource

__all__ = ["read_json", "render", "config_of"]


def config_of(request: Request) -> MockConfig:
    return request.app.state.mock.config  # type: ignore[no-any-return]


def render(result: Resource | dict[str, Any] | list[Any] | Response, status: int = 200) -> Response:
    """The one place a successful result becomes a response: ``application/json``
    (a ready ``Response``, such as an event stream, passes through)."""
    if isinstance(result, Response):
        return result
    body = result.to_wire() if isinstance(result, Resource) else result
    return JSONResponse(body, status_code=status)


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"the number {text[:40]} is too large")
    return value


async def read_json(request: Request, *, require_json_type: bool = True) -> Any:
    """The request's JSON body (``{}`` when empty), within the configured size limit.

    API routes require ``Content-Type: application/json`` as the real API does; the control plane
    (``require_json_type=False``) reads any body as JSON, so a bare ``curl -d`` works.
    """
    limit = config_of(request).max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(int(declared), limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(size, limit)
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        return {}
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if require_json_type and content_type != "application/json" and not content_type.endswith("+json"):
        raise InvalidRequest(
            f"Unsupported Content-Type {content_type or '(none)'!r}: the body must be JSON. Send the "
            "header 'Content-Type: application/json'.",
            code="unsupported_content_type",
        )
    try:
        parsed = json.loads(raw, parse_constant=_reject_constant, parse_float=_finite_float)
        if _SURROGATE_ESCAPE.search(raw):
            # A lone surrogate ("\ud800") parses but cannot be stored or sent back as UTF-8; only
            # bodies with such an escape pay for this check.
            json.dumps(parsed, ensure_ascii=False).encode("utf-8")
        return parsed
    except (ValueError, RecursionError) as err:
        raise InvalidRequest(
            "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
            f"using your HTTP library correctly. The parser said: {err})",
            code="invalid_json",
        ) from None


def _too_large(size: int, limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"Request body too large: {size} bytes, the limit is {limit}. Send fewer or smaller items "
        "per request (or start the mock with a larger --max-body-bytes).",
    )
