"""Where every timestamp comes from: the system clock, or a frozen one a test moves by hand."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["Clock"]


class Clock:
    """Unix time in whole seconds (the API's timestamp unit).

    Runs with the system clock (plus an offset after ``advance``) until ``freeze`` pins it; a frozen
    clock moves only through ``advance`` or ``freeze(at=...)``. ``unfreeze`` returns to real time.
    """

    def __init__(self, frozen_at: int | None = None, *, source: Callable[[], float] = time.time) -> None:
        self._lock = threading.Lock()
        self._source = source
        self._offset = 0
        self._frozen: int | None = frozen_at

    def now(self) -> int:
        """The current time, as whole Unix seconds."""
        with self._lock:
            if self._frozen is not None:
                return self._frozen
            return int(self._source()) + self._offset

    def freeze(self, at: int | None = None) -> int:
        """Stop the clock at ``at`` (default: now) and return the frozen time."""
        with self._lock:
            if at is None:
                at = self._frozen if self._frozen is not None else int(self._source()) + self._offset
            self._frozen = int(at)
            return self._frozen

    def advance(self, seconds: int) -> int:
        """Move the clock forward (frozen or not) and return the new time."""
        with self._lock:
            if self._frozen is not None:
                self._frozen += int(seconds)
                return self._frozen
            self._offset += int(seconds)
            return int(self._source()) + self._offset

    def unfreeze(self) -> None:
        """Follow the system clock again, with no offset."""
        with self._lock:
            self._frozen = None
            self._offset = 0

    @property
    def frozen(self) -> bool:
        return self._frozen is not None
