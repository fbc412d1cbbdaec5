"""The fake model: scripted replies (``Reply``), rules and the deterministic default (``Responder``).

It knows nothing of resources: the Responses backend hands it a ``ModelContext`` and gets a ``Reply``.
"""

from __future__ import annotations

from .context import ModelContext
from .reply import Reply
from .responder import Responder, Rule

__all__ = ["ModelContext", "Reply", "Responder", "Rule"]
