"""The control plane: ``Controller`` (every test-side action once), its ``/__mock__/`` endpoint table,
the request journal, and the state-document (fixture) format."""

from __future__ import annotations

from .controller import Controller, MockServerError

__all__ = ["Controller", "MockServerError"]
