"""``LazyAsyncClient``: an ``httpx.AsyncClient`` made on first use.

Most tests never call an SDK's ``*_async`` methods, and building an async client costs ~0.25 ms; the
SDK insists on having one (it would build a far costlier default), so it gets this stand-in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

__all__ = ["LazyAsyncClient"]


class LazyAsyncClient:
    """Satisfies the SDK's ``AsyncHttpClient`` protocol; the real client is built when needed."""

    def __init__(self, factory: Callable[[], httpx.AsyncClient]) -> None:
        self._factory = factory
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = self._factory()
        return self._client

    async def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        return await self.client.send(request, **kwargs)

    def build_request(self, method: str, url: Any, **kwargs: Any) -> httpx.Request:
        return self.client.build_request(method, url, **kwargs)

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
