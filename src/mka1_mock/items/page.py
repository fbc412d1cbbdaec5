"""A stored item as the API returns it, and a page of them (conversation items, response input items)."""

from __future__ import annotations

from typing import Any, Literal

from .._core.resource import Resource

__all__ = ["Item", "ItemList"]

Item = dict[str, Any]
"""A stored item as the API returns it: the client's fields plus ``id`` and ``response_id``."""


class ItemList(Resource):
    """Items page. ``last_id`` is a string even for an empty page (``""``): the SDK requires it."""

    object: Literal["list"] = "list"
    data: list[Item]
    has_more: bool
    first_id: str
    last_id: str

    @classmethod
    def page(cls, data: list[Item], *, has_more: bool) -> ItemList:
        """A page of items, ``first_id``/``last_id`` taken from it (``""`` when empty)."""
        return cls(
            data=data,
            has_more=has_more,
            first_id=data[0]["id"] if data else "",
            last_id=data[-1]["id"] if data else "",
        )
