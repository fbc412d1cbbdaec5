"""Embeddings (``/api/v1/llm/embeddings``): shapes for both SDKs, deterministic ranking-friendly vectors,
the contract's sizes and errors, the embeddings-models list, and pinned vectors."""

from __future__ import annotations

import base64
import math
import struct

import openai
import pytest
from meetkai_mka1 import SDK

from mka1_mock import Mka1Mock
from tests.conftest import API_KEY, Api, assert_error
from tests.test_control_http import assert_invalid, control, ok

QWEN = "meetkai:qwen3-embedding-8b"
SMALL = "openai:text-embedding-3-small"


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def test_the_sdk_embeds_one_text(sdk: SDK) -> None:
    """One string gives one unit-length vector of the model's native size, with usage by the token rule."""
    answer = sdk.llm.embeddings.embed(input="hello world", model=QWEN)
    assert answer.model == QWEN and len(answer.data) == 1
    vector = answer.data[0].embedding
    assert isinstance(vector, list) and len(vector) == 4096
    assert math.isclose(math.sqrt(sum(v * v for v in vector)), 1.0, rel_tol=1e-9)
    assert answer.data[0].index == 0
    assert answer.usage is not None and answer.usage.prompt_tokens == 3 and answer.usage.total_tokens == 3


def test_vectors_are_deterministic_and_rank_by_shared_words(mka1_sdk: SDK) -> None:
    """Same text, same vector; texts sharing words are closer than texts sharing none; order is kept."""
    texts = ["the invoice total is due", "invoice total overdue", "a cat sat on the mat", "the invoice total is due"]
    answer = mka1_sdk.llm.embeddings.embed(input=texts, model=SMALL)
    vectors = [d.embedding for d in answer.data]
    assert [d.index for d in answer.data] == [0, 1, 2, 3]
    assert vectors[0] == vectors[3]
    assert vectors[0] != vectors[1]
    assert cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2]) + 0.2
    again = mka1_sdk.llm.embeddings.embed(input="invoice total overdue", model=SMALL).data[0].embedding
    assert again == vectors[1]


def test_dimensions_apply_to_ranged_models_only(mka1_mock: Mka1Mock, mka1_sdk: SDK) -> None:
    """``dimensions`` sizes a ranged model's vectors and is dropped for a fixed-size one (contract 4.5)."""
    assert len(mka1_sdk.llm.embeddings.embed(input="x", model=SMALL, dimensions=256).data[0].embedding) == 256
    mka1_mock.set_models([{"id": "acme:fixed", "model_type": "embeddings",
                           "embedding_dimension_range": {"min": 64, "max": 64, "default": 64}}])  # fmt: skip
    fixed = mka1_sdk.llm.embeddings.embed(input="x", model="acme:fixed", dimensions=8)
    assert len(fixed.data[0].embedding) == 64


def test_base64_decodes_to_the_float_vector(api: Api) -> None:
    """``encoding_format: base64`` is the float32 little-endian bytes of the same vector."""
    floats = api.post("/embeddings", json={"input": "pack me", "model": SMALL, "dimensions": 16}).json()
    packed = api.post("/embeddings", json={"input": "pack me", "model": SMALL, "dimensions": 16,
                                           "encoding_format": "base64"}).json()  # fmt: skip
    raw = base64.b64decode(packed["data"][0]["embedding"])
    decoded = struct.unpack("<16f", raw)
    expected = floats["data"][0]["embedding"]
    assert all(math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-7) for a, b in zip(decoded, expected, strict=True))


def test_the_openai_sdk_embeds_and_decodes_base64(mka1_mock: Mka1Mock) -> None:
    """The openai client (which asks for base64 by default) gets the same vector back."""
    client = openai.OpenAI(base_url=mka1_mock.base_url, api_key=API_KEY, max_retries=0)
    try:
        answer = client.embeddings.create(input=["retrieval test"], model=SMALL)
    finally:
        client.close()
    expected = mka1_mock.sdk().llm.embeddings.embed(input="retrieval test", model=SMALL).data[0].embedding
    assert isinstance(expected, list)
    got = answer.data[0].embedding
    assert all(math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-7) for a, b in zip(got, expected, strict=True))
    assert answer.usage.prompt_tokens == 4


def test_auto_uses_the_first_embeddings_model_and_echoes_auto(api: Api) -> None:
    """``model: auto`` answers with ``model: "auto"`` and the first embeddings model's vectors."""
    auto = api.post("/embeddings", json={"input": "same", "model": "auto"}).json()
    qwen = api.post("/embeddings", json={"input": "same", "model": QWEN}).json()
    assert auto["model"] == "auto" and auto["data"] == qwen["data"]


@pytest.mark.parametrize(
    ("body", "param", "code"),
    [
        ({"input": "", "model": QWEN}, "input", "string_below_min_length"),
        ({"input": [], "model": QWEN}, "input", "empty_array"),
        ({"input": [""], "model": QWEN}, "input[0]", "string_below_min_length"),
        ({"input": "x" * 100_001, "model": QWEN}, "input", "string_above_max_length"),
        ({"input": "x", "model": QWEN, "dimensions": 0}, "dimensions", "integer_out_of_range"),
        ({"input": "x", "model": QWEN, "encoding_format": "hex"}, "encoding_format", "invalid_value"),
        ({"input": "x", "model": "acme:none"}, "model", "model_not_found"),
        ({"input": "x", "model": "meetkai:functionary-urdu-mini-pak"}, "model", "model_not_found"),
        ({"input": ["x"] * 1001, "model": QWEN}, "input", "array_above_max_length"),
        ({"input": "x" * 20_000, "model": SMALL}, "input", "string_above_max_length"),
    ],
)
def test_bad_requests_are_400s_naming_the_field(api: Api, body: dict[str, object], param: str, code: str) -> None:
    """Every error row of contract 4.6 is a 400 naming the field."""
    error = assert_error(api.post("/embeddings", json=body), 400, param=param, code=code)
    assert error["message"]


def test_the_embeddings_models_list_follows_the_catalogue(mka1_mock: Mka1Mock, sdk: SDK) -> None:
    """GET /embeddings/models lists the catalogue's embeddings models with their limits."""
    listed = sdk.llm.embeddings.list_models()
    assert [m.id for m in listed.data] == [QWEN, SMALL]
    qwen = listed.data[0]
    assert (qwen.provider, qwen.model) == ("meetkai", "qwen3-embedding-8b")
    limits = qwen.limits
    assert (limits.max_batch_size, limits.max_input_tokens, limits.max_input_length) == (1000, 32768, 65536)
    mka1_mock.set_models([{"id": "acme:emb", "model_type": "embeddings"}])
    assert [m.id for m in sdk.llm.embeddings.list_models().data] == ["acme:emb"]


def test_pinned_vectors_win_until_reset(mka1_mock: Mka1Mock, mka1_sdk: SDK) -> None:
    """A pinned text answers exactly its vector (any model, or one model); reset forgets it."""
    mka1_mock.pin_embedding("pinned text", [0.6, 0.8])
    mka1_mock.pin_embedding("model only", [1.0], model=SMALL)
    assert mka1_sdk.llm.embeddings.embed(input="pinned text", model=QWEN).data[0].embedding == [0.6, 0.8]
    assert mka1_sdk.llm.embeddings.embed(input="model only", model=SMALL).data[0].embedding == [1.0]
    assert len(mka1_sdk.llm.embeddings.embed(input="model only", model=QWEN).data[0].embedding) == 4096
    assert mka1_mock.embedding_pins() == [
        {"model": None, "text": "pinned text", "dimensions": 2},
        {"model": SMALL, "text": "model only", "dimensions": 1},
    ]
    mka1_mock.reset()
    assert mka1_mock.embedding_pins() == []
    assert len(mka1_sdk.llm.embeddings.embed(input="pinned text", model=QWEN).data[0].embedding) == 4096


def test_pins_over_http(mka1_mock: Mka1Mock, api: Api) -> None:
    """POST /__mock__/embeddings/pins is pin_embedding over HTTP; a bad pin is a 400 naming the field."""
    body = ok(control(mka1_mock, "POST", "/embeddings/pins", json={"text": "t", "embedding": [1, 0]}))
    assert body == {"object": "list", "data": [{"model": None, "text": "t", "dimensions": 2}]}
    assert api.post("/embeddings", json={"input": "t", "model": SMALL}).json()["data"][0]["embedding"] == [1.0, 0.0]
    assert_invalid(control(mka1_mock, "POST", "/embeddings/pins", json={"text": "t", "embedding": []}),
                   param="embedding", code="empty_array")  # fmt: skip
    assert ok(control(mka1_mock, "GET", "/embeddings/pins"))["data"] == [{"model": None, "text": "t", "dimensions": 2}]
