"""The base of every resource model the API returns (handlers render models, never hand-built dicts)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["Resource"]


class Resource(BaseModel):
    model_config = ConfigDict(frozen=True)

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(mode="python", exclude_none=False)
