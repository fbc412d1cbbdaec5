"""The item vocabulary shared by conversations, responses and the fake model: the 24 item types and
their parts (``models``), stored items and pages of them (``page``), and the token rule (``tokens``)."""

from __future__ import annotations

from .page import Item, ItemList

__all__ = ["Item", "ItemList"]
