"""The models catalogue (``/api/v1/llm/models``) and strict model checking in Responses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from meetkai_mka1 import SDK

from mka1_mock import Mka1Mock, MockConfig, create_app
from mka1_mock.cli import main
from tests.conftest import Api, assert_error
from tests.test_cli import serving
from tests.test_control_http import assert_invalid, control, ok

DOC_MODELS = [
    "meetkai:functionary-urdu-mini-pak",
    "meetkai:functionary-swahili-large",
    "meetkai:qwen3-embedding-8b",
    "openai:text-embedding-3-small",
]
REQUIRED_KEYS = {
    "id", "object", "created", "owned_by", "model_type", "input_modalities", "output_modalities",
    "context_window", "max_image_resolution", "min_image_resolution", "embedding_dimension_range",
    "parameter_count", "active_parameter_count", "release_date", "serving_locations", "developer",
    "base_model", "weights", "license", "languages", "tts", "limitations", "lifecycle", "capabilities",
}  # fmt: skip


def test_the_default_catalogue_lists_the_doc_models(sdk: SDK) -> None:
    """The SDK lists the model names the docs use, parsed by its own models; auto is not listed."""
    listed = sdk.llm.models.list()
    assert [m.id for m in listed.data] == DOC_MODELS
    embedding = next(m for m in listed.data if m.id == "meetkai:qwen3-embedding-8b")
    assert embedding.model_type == "embeddings"
    assert embedding.embedding_dimension_range is not None and embedding.embedding_dimension_range.max == 4096
    assert embedding.capabilities.supports_temperature is False


def test_a_model_has_every_key_the_sdk_requires(api: Api) -> None:
    """The raw object carries all 24 keys (nullable ones as null) and the lifecycle and capabilities."""
    response = api.get("/models/meetkai:functionary-urdu-mini-pak")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == REQUIRED_KEYS
    assert body["owned_by"] == "meetkai" and body["created"] == 1_704_067_200 and body["tts"] is None
    assert body["lifecycle"] == {"status": "active", "deprecated_at": None, "retires_at": None, "successor": None}
    assert body["capabilities"] == {
        "supports_temperature": True, "supports_top_p": True, "supports_reasoning": False,
        "supports_reasoning_effort": False, "supports_structured_outputs": None,
    }  # fmt: skip


def test_get_by_id_through_the_sdk(sdk: SDK) -> None:
    """models.get answers the model, whatever the id's ':' (socket and in-process)."""
    model = sdk.llm.models.get(model_id="meetkai:functionary-swahili-large")
    assert model.id == "meetkai:functionary-swahili-large"
    assert model.input_modalities == ["text", "image"]


def test_an_unknown_model_is_404_model_not_found(api: Api) -> None:
    """An id not in the catalogue answers the OpenAI-style 404 naming it."""
    error = assert_error(api.get("/models/acme:nothing"), 404, param="model_id", code="model_not_found")
    assert error["message"] == "Model 'acme:nothing' not found"


def test_the_models_routes_need_a_key(api: Api) -> None:
    """Without a bearer key the gateway answers 401."""
    response = api.get("/models", key=None)
    assert response.status_code == 401 and response.json()["error"] == "Unauthorized"


def test_set_models_replaces_the_catalogue_until_reset(mka1_mock: Mka1Mock, mka1_sdk: SDK) -> None:
    """The handle's set_models fills missing keys; an id with '/' is reachable; reset restores."""
    mka1_mock.set_models([{"id": "acme:tiny/v2"}, {"id": "acme:embed", "model_type": "embeddings"}])
    assert [m.id for m in mka1_sdk.llm.models.list().data] == ["acme:tiny/v2", "acme:embed"]
    tiny = mka1_sdk.llm.models.get(model_id="acme:tiny/v2")
    assert tiny.owned_by == "acme" and tiny.output_modalities == ["text"]
    embed = mka1_sdk.llm.models.get(model_id="acme:embed")
    assert embed.output_modalities == ["embedding"] and embed.capabilities.supports_structured_outputs is False
    mka1_mock.reset()
    assert [m.id for m in mka1_mock.models()] == DOC_MODELS


def test_the_control_route_replaces_the_catalogue(mka1_mock: Mka1Mock) -> None:
    """PUT /__mock__/models is set_models over HTTP; GET /__mock__/models lists it."""
    body = ok(control(mka1_mock, "PUT", "/models", json={"data": [{"id": "acme:one", "context_window": 4096}]}))
    assert [m["id"] for m in body["data"]] == ["acme:one"] and body["data"][0]["context_window"] == 4096
    assert [m["id"] for m in ok(control(mka1_mock, "GET", "/models"))["data"]] == ["acme:one"]
    assert [m.id for m in mka1_mock.models()] == ["acme:one"]


def test_the_listed_catalogue_goes_back_as_is(mka1_mock: Mka1Mock) -> None:
    """GET /__mock__/models' answer is a valid PUT body: the catalogue round-trips unchanged."""
    mka1_mock.set_models([{"id": "acme:one", "languages": ["en"]}])
    listed = ok(control(mka1_mock, "GET", "/models"))
    mka1_mock.reset()
    assert ok(control(mka1_mock, "PUT", "/models", json=listed)) == listed
    assert [m.model_dump(mode="json") for m in mka1_mock.models()] == listed["data"]


@pytest.mark.parametrize(
    ("data", "param", "code"),
    [
        ([{"id": ""}], "data[0].id", "string_below_min_length"),
        ([{"id": "a:b", "model_type": "robot"}], "data[0].model_type", "invalid_value"),
        ([{"id": "a:b", "colour": "red"}], "data[0].colour", "unknown_parameter"),
    ],
)
def test_a_bad_catalogue_is_a_400_and_changes_nothing(mka1_mock: Mka1Mock, data: object, param: str, code: str) -> None:
    """A bad model definition names its field, and the catalogue stays as it was."""
    assert_invalid(control(mka1_mock, "PUT", "/models", json={"data": data}), param=param, code=code)
    assert [m.id for m in mka1_mock.models()] == DOC_MODELS


def test_duplicate_ids_are_refused(mka1_mock: Mka1Mock) -> None:
    """Two entries with one id are a 400 naming the second."""
    response = control(mka1_mock, "PUT", "/models", json={"data": [{"id": "a:b"}, {"id": "a:b"}]})
    assert_invalid(response, param="models[1].id", code="duplicate_id")


def test_a_configured_catalogue_is_what_reset_restores() -> None:
    """MockConfig(models=...) is the app's catalogue, kept across resets."""
    app = create_app(config=MockConfig(models=({"id": "acme:configured"},)))
    with Mka1Mock(app) as mock:
        mock.set_models([{"id": "acme:other"}])
        mock.reset()
        assert [m.id for m in mock.models()] == ["acme:configured"]


def test_strict_models_refuses_unknown_models_and_stores_nothing(mka1_mock: Mka1Mock, sdk: SDK) -> None:
    """In strict mode an unknown model is a 400 naming 'model'; catalogue models and auto pass."""
    mka1_mock.strict_models()
    conversation = mka1_mock.add_conversation()
    with pytest.raises(Exception) as caught:
        sdk.llm.responses.create(model="acme:nope", input="hi", conversation=conversation.id)
    assert getattr(caught.value, "status_code", None) == 400
    error = json.loads(caught.value.body)["error"]  # type: ignore[attr-defined]
    assert (error["param"], error["code"], error["type"]) == ("model", "model_not_found", "invalid_request_error")
    assert "'acme:nope'" in error["message"] and "strict" in error["message"]
    assert mka1_mock.conversation(conversation.id).items == []
    assert sdk.llm.responses.create(model="auto", input="hi").status == "completed"
    assert sdk.llm.responses.create(model=DOC_MODELS[0], input="hi").status == "completed"


def test_without_strict_any_model_is_accepted(mka1_sdk: SDK) -> None:
    """By default a response may name any model (the mock does not know the account's models)."""
    assert mka1_sdk.llm.responses.create(model="acme:anything", input="hi").model == "acme:anything"


def test_strict_models_over_http_and_reset(mka1_mock: Mka1Mock, api: Api) -> None:
    """POST /__mock__/models/strict turns it on; reset turns it back off."""
    assert ok(control(mka1_mock, "POST", "/models/strict", json={"strict": True})) == {"strict": True}
    assert_error(api.post("/responses", json={"model": "x:y", "input": "hi"}), 400, param="model",
                 code="model_not_found")  # fmt: skip
    mka1_mock.reset()
    assert api.post("/responses", json={"model": "x:y", "input": "hi"}).status_code == 200


def test_cli_models_file_and_strict_flag(tmp_path: Path) -> None:
    """--models FILE replaces the catalogue and --strict-models enforces it over a real server."""
    models = tmp_path / "models.json"
    models.write_text(json.dumps({"data": [{"id": "acme:served"}]}))
    with serving("--models", str(models), "--strict-models") as (_, url):
        headers = {"Authorization": "Bearer k"}
        listed = requests.get(f"{url}/api/v1/llm/models", headers=headers, timeout=10).json()
        assert [m["id"] for m in listed["data"]] == ["acme:served"]
        refused = requests.post(f"{url}/api/v1/llm/responses", json={"model": "other", "input": "x"},
                                headers=headers, timeout=10)  # fmt: skip
        assert refused.status_code == 400 and refused.json()["error"]["param"] == "model"


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("not json", "is not valid JSON"),
        ('{"models": []}', "must hold a JSON array of model objects"),
        ('[{"id": "a", "model_type": "robot"}]', "config.models[0].model_type"),
    ],
)
def test_cli_rejects_a_bad_models_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, said: str
) -> None:
    """A bad --models file is exit status 2 with a message saying what is wrong."""
    models = tmp_path / "models.json"
    models.write_text(content)
    assert main(["serve", "--port", "0", "--models", str(models)]) == 2
    assert said in capsys.readouterr().err
