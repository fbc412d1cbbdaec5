"""The fixture-file format: the committed JSON Schema and the shipped fixtures stay valid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mka1_mock.control.fixture import FixtureFile

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SHIPPED = sorted(p for p in FIXTURES.glob("*.json") if not p.name.endswith(".schema.json"))


def test_committed_schema_matches_the_models() -> None:
    """fixtures/fixture.schema.json is exactly what the pydantic models generate (regenerate it with
    ``FixtureFile.model_json_schema(by_alias=True)`` after changing them)."""
    committed = json.loads((FIXTURES / "fixture.schema.json").read_text())
    assert committed == FixtureFile.model_json_schema(by_alias=True)
    assert committed["properties"]["format"]["const"] == "mka1-mock/fixture"
    assert committed["additionalProperties"] is False


def test_three_realistic_fixtures_are_shipped() -> None:
    """At least the three documented fixtures ship under fixtures/."""
    names = {p.name for p in SHIPPED}
    assert {"support_thread.json", "multi_user_account.json", "long_conversation.json"} <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_fixture_parses_and_points_at_the_schema(path: Path) -> None:
    """Each shipped fixture is a valid version-1 document that names the schema for editors."""
    raw = json.loads(path.read_text())
    document = FixtureFile.model_validate(raw)
    assert raw["$schema"] == "./fixture.schema.json"
    assert document.version == 1
    assert document.description
    assert document.conversations and all(c.items for c in document.conversations)
