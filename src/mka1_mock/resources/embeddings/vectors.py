"""Deterministic fake embeddings: a pure function of (model, text), unit length, and closer (cosine)
for texts that share words than for texts that share none.

Each word (lower-cased run of letters and digits) adds ``±1`` at a few positions chosen by a keyed
hash of (model, word), so shared words make vectors point the same way; a small dense component
drawn from a hash of (model, whole text) makes every distinct text's vector distinct. No randomness outside
the hash: the same text gives the same vector in every process and on every machine.
"""

from __future__ import annotations

import hashlib
import math
import re
import struct
import sys
from array import array
from base64 import b64encode

__all__ = ["embed", "to_base64"]

_WORD = re.compile(r"\w+", re.UNICODE)
_POSITIONS_PER_WORD = 8
_DENSE_WEIGHT = 0.15  # the whole-text component's share of the norm, before normalisation


def _digest(*parts: str) -> bytes:
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogatepass"), digest_size=32).digest()


def embed(model: str, text: str, dimensions: int) -> list[float]:
    """The vector of ``text`` under ``model``: ``dimensions`` floats with unit L2 norm."""
    vector = [0.0] * dimensions
    words = _WORD.findall(text.lower())
    for word in words:
        digest = _digest("word", model, word)
        for n in range(_POSITIONS_PER_WORD):
            chunk = int.from_bytes(digest[4 * n : 4 * n + 4], "little")
            vector[chunk % dimensions] += 1.0 if chunk & 0x80000000 else -1.0
    word_norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    # The dense part: signed 16-bit numbers from an extendable-output hash of (model, text).
    dense = array("h", hashlib.shake_256(_digest("text", model, text)).digest(2 * dimensions))
    if sys.byteorder != "little":  # pragma: no cover - the same vector on every machine
        dense.byteswap()
    dense_norm = math.sqrt(sum(d * d for d in dense)) or 1.0
    weight = _DENSE_WEIGHT if words else 1.0
    a, b = (1.0 - weight) / word_norm, weight / dense_norm
    mixed = [a * v + b * d for v, d in zip(vector, dense, strict=True)]
    norm = math.sqrt(sum(v * v for v in mixed)) or 1.0
    return [v / norm for v in mixed]


def to_base64(vector: list[float]) -> str:
    """Little-endian float32 bytes, base64-encoded (OpenAI's ``encoding_format: base64``)."""
    return b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")
