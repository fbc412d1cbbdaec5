"""``example_for``: the deterministic JSON document the fake LLM answers to a ``json_schema`` text format.

Every test pins the exact document. When ``jsonschema`` happens to be installed, each document is also
validated against its schema (draft 2020-12, with format checks); without it that extra check is skipped.
"""

from __future__ import annotations

import copy
import importlib
import importlib.util
from typing import Any

import pytest

from mka1_mock.fake_model.schema_example import UnsupportedSchema, example_for

_HAS_JSONSCHEMA = importlib.util.find_spec("jsonschema") is not None


def generate(schema: Any) -> Any:
    """The example for ``schema``, validated by ``jsonschema`` when that package is available."""
    document = example_for(schema)
    if _HAS_JSONSCHEMA:
        validator_cls = importlib.import_module("jsonschema").Draft202012Validator
        validator_cls(schema, format_checker=validator_cls.FORMAT_CHECKER).validate(document)
    return document


def test_flat_object_has_required_typed_properties_only() -> None:
    """Required properties get their type's default (strings echo the property name); optional ones are omitted."""
    schema = {
        "type": "object",
        "title": "City",
        "description": "annotations are ignored",
        "properties": {
            "city": {"type": "string"},
            "population": {"type": "integer"},
            "area_km2": {"type": "number"},
            "capital": {"type": "boolean"},
            "mayor": {"type": "null"},
            "nickname": {"type": "string"},
        },
        "required": ["city", "population", "area_km2", "capital", "mayor"],
    }
    assert generate(schema) == {"city": "city", "population": 0, "area_km2": 0, "capital": True, "mayor": None}


def test_nested_objects_and_arrays_respect_item_counts_and_uniqueness() -> None:
    """Arrays get max(minItems, 1) items (none when maxItems is 0), and items vary so uniqueItems holds."""
    schema = {
        "type": "object",
        "properties": {
            "order": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "lines": {
                        "type": "array",
                        "minItems": 2,
                        "uniqueItems": True,
                        "items": {
                            "type": "object",
                            "properties": {"sku": {"type": "string"}, "qty": {"type": "integer", "minimum": 1}},
                            "required": ["sku", "qty"],
                        },
                    },
                },
                "required": ["id", "lines"],
            },
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 3, "uniqueItems": True},
            "flags": {"type": "array", "items": {"type": "boolean"}, "minItems": 2, "uniqueItems": True},
            "ratings": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 3}, "minItems": 3},
            "notes": {"type": "array", "items": {"type": "string"}},
            "none": {"type": "array", "items": {"type": "string"}, "maxItems": 0},
            "pair": {"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}], "items": False},
        },
        "required": ["order", "tags", "flags", "ratings", "notes", "none", "pair"],
    }
    assert generate(schema) == {
        "order": {
            "id": "00000000-0000-4000-8000-000000000000",
            "lines": [{"sku": "sku", "qty": 1}, {"sku": "sku2", "qty": 2}],
        },
        "tags": ["tags", "tags2", "tags3"],
        "flags": [True, False],
        "ratings": [1, 2, 3],
        "notes": ["notes"],
        "none": [],
        "pair": [0, "pair"],
    }


def test_enum_const_default_and_examples_are_taken_literally() -> None:
    """const wins, then a valid-looking default or first example, then the first enum value that fits the type."""
    schema = {
        "type": "object",
        "properties": {
            "kind": {"const": "ticket"},
            "status": {"enum": ["open", "closed"]},
            "priority": {"type": "integer", "enum": [3, 1, 2]},
            "level": {"type": "string", "enum": [1, "high", "low"]},
            "unit": {"type": "string", "default": "celsius"},
            "retries": {"type": "integer", "default": "three", "examples": [7, 8]},
            "color": {"$ref": "#/$defs/color", "default": "green"},
            "meta": {"type": "object", "const": {"v": [1, 2]}},
        },
        "required": ["kind", "status", "priority", "level", "unit", "retries", "color", "meta"],
        "$defs": {"color": {"enum": ["red", "green"]}},
    }
    document = generate(schema)
    assert document == {
        "kind": "ticket",
        "status": "open",
        "priority": 3,
        "level": "high",
        "unit": "celsius",
        "retries": 7,
        "color": "green",
        "meta": {"v": [1, 2]},
    }
    document["meta"]["v"].append(3)
    assert schema["properties"]["meta"]["const"] == {"v": [1, 2]}


def test_refs_resolve_and_recursive_schemas_terminate() -> None:
    """$defs, definitions and '#' references resolve; a $ref revisited on the path takes the shortest way out."""
    tree = {
        "$defs": {
            "node": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/node"}},
                },
                "required": ["name", "children"],
                "additionalProperties": False,
            }
        },
        "type": "object",
        "properties": {"root": {"$ref": "#/$defs/node"}},
        "required": ["root"],
    }
    assert generate(tree) == {"root": {"name": "name", "children": []}}

    linked_list = {
        "type": "object",
        "properties": {"value": {"type": "integer"}, "next": {"anyOf": [{"$ref": "#"}, {"type": "null"}]}},
        "required": ["value", "next"],
    }
    assert generate(linked_list) == {"value": 0, "next": None}

    nested = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "replies": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/reply"}},
        },
        "required": ["id", "replies"],
        "definitions": {
            "reply": {"type": ["object", "null"], "properties": {"post": {"$ref": "#"}}, "required": ["post"]},
        },
    }
    assert generate(nested) == {"id": 0, "replies": [{"post": {"id": 0, "replies": [None]}}]}


def test_any_of_and_nullable_types_pick_the_first_generable_non_null_option() -> None:
    """anyOf/oneOf use the first branch that can be generated; type lists prefer their first non-null type."""
    schema = {
        "type": "object",
        "properties": {
            "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "count": {"type": ["null", "integer"]},
            "nothing": {"type": ["null"]},
            "fallback": {
                "anyOf": [{"type": "string", "minLength": 5, "maxLength": 2}, {"type": "integer", "minimum": 9}],
            },
            "shape": {
                "oneOf": [
                    {
                        "type": "object",
                        "properties": {"kind": {"const": "circle"}, "r": {"type": "number"}},
                        "required": ["kind", "r"],
                    },
                    {"type": "object", "properties": {"kind": {"const": "square"}}, "required": ["kind"]},
                ]
            },
        },
        "required": ["note", "count", "nothing", "fallback", "shape"],
    }
    assert generate(schema) == {
        "note": "note",
        "count": 0,
        "nothing": None,
        "fallback": 9,
        "shape": {"kind": "circle", "r": 0},
    }


def test_numeric_bounds_exclusive_bounds_and_multiple_of() -> None:
    """Numbers take the valid value closest to zero (preferring >= 0) under all bounds and multipleOf."""
    schema = {
        "type": "object",
        "properties": {
            "at_least_5": {"type": "integer", "minimum": 5},
            "above_5": {"type": "integer", "exclusiveMinimum": 5},
            "open_unit": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
            "sevens": {"type": "integer", "multipleOf": 7, "minimum": 10},
            "negative_fives": {"type": "integer", "maximum": -3, "multipleOf": 5},
            "below_minus_2": {"type": "integer", "exclusiveMaximum": -2},
            "tenths": {"type": "number", "minimum": 0.25, "multipleOf": 0.1},
            "halves": {"type": "number", "exclusiveMinimum": 1, "multipleOf": 0.5},
            "symmetric": {"type": "number", "minimum": -10, "maximum": 10},
            "pinned": {"type": "number", "minimum": 2.5, "maximum": 2.5},
        },
        "required": [
            "at_least_5", "above_5", "open_unit", "sevens", "negative_fives", "below_minus_2", "tenths", "halves",
            "symmetric", "pinned",
        ],
    }
    document = generate(schema)
    assert document == {
        "at_least_5": 5,
        "above_5": 6,
        "open_unit": 0.5,
        "sevens": 14,
        "negative_fives": -5,
        "below_minus_2": -3,
        "tenths": 0.4,  # 0.3 is exact, but 0.3 / 0.1 != 3 in floating point, so the next multiple is chosen
        "halves": 1.5,
        "symmetric": 0,
        "pinned": 2.5,
    }
    assert [type(document[k]) for k in ("at_least_5", "open_unit", "symmetric")] == [int, float, int]


def test_string_formats_patterns_and_length_bounds() -> None:
    """Formats get fixed well-formed values, patterns a matching candidate, and plain strings are fitted to length."""
    formats = ["date-time", "date", "time", "email", "uri", "url", "uuid", "ipv4", "ipv6", "hostname", "duration"]
    schema = {
        "type": "object",
        "properties": {
            **{f: {"type": "string", "format": f} for f in formats},
            "code": {"type": "string", "minLength": 6},
            "abbr": {"type": "string", "maxLength": 3},
            "empty": {"type": "string", "maxLength": 0},
            "zip": {"type": "string", "pattern": "^\\d{5}(-\\d{4})?$"},
            "sku": {"type": "string", "pattern": "^[A-Z]{3}-\\d{4}$"},
            "slug": {"type": "string", "pattern": "^[a-z]+$"},
            "long_slug": {"type": "string", "pattern": "^[a-z_]+$", "minLength": 12},
            "contains_digit": {"type": "string", "pattern": "[0-9]"},
            "no_at": {"type": "string", "pattern": "^[^@]+$", "maxLength": 4},
        },
        "required": [*formats, "code", "abbr", "empty", "zip", "sku", "slug", "long_slug", "contains_digit", "no_at"],
    }
    assert generate(schema) == {
        "date-time": "2024-01-01T00:00:00Z",
        "date": "2024-01-01",
        "time": "00:00:00Z",
        "email": "user@example.com",
        "uri": "https://example.com",
        "url": "https://example.com",
        "uuid": "00000000-0000-4000-8000-000000000000",
        "ipv4": "192.0.2.1",
        "ipv6": "2001:db8::1",
        "hostname": "example.com",
        "duration": "P1D",
        "code": "codexx",
        "abbr": "abb",
        "empty": "",
        "zip": "00000",
        "sku": "AAA-0000",
        "slug": "slug",
        "long_slug": "long_slugggg",
        "contains_digit": "0",
        "no_at": "no_a",
    }
    assert generate({"type": "array", "items": {"type": "string", "format": "email"}, "minItems": 2}) == [
        "user@example.com",
        "user2@example.com",
    ]


def test_typical_openai_strict_schema_lists_every_property() -> None:
    """A strict calendar-event extraction schema yields every declared property, nullable ones with a real value."""
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string", "description": "Event title"},
            "date": {"type": "string", "description": "When, as written"},
            "participants": {"type": "array", "items": {"type": "string"}},
            "location": {"type": ["string", "null"]},
            "organizer": {
                "type": "object",
                "properties": {"email": {"type": "string", "format": "email"}, "role": {"enum": ["host", "guest"]}},
                "required": ["email", "role"],
                "additionalProperties": False,
            },
            "notes": {"type": "string"},  # not listed as required, but additionalProperties is false
        },
        "required": ["name", "date", "participants", "location", "organizer"],
        "additionalProperties": False,
    }
    response_format = {"type": "json_schema", "name": "calendar_event", "schema": schema, "strict": True}
    assert generate(response_format["schema"]) == {
        "name": "name",
        "date": "date",
        "participants": ["participants"],
        "location": "location",
        "organizer": {"email": "user@example.com", "role": "host"},
        "notes": "notes",
    }


@pytest.mark.parametrize(
    ("schema", "pointer", "keyword"),
    [
        ({"properties": {"age": {"type": "integer", "minimum": 5, "maximum": 3}}, "required": ["age"]},
         "#/properties/age", "maximum"),
        ({"properties": {"tags": {"type": "array", "minItems": 3, "maxItems": 1}}, "required": ["tags"]},
         "#/properties/tags", "maxItems"),
        ({"type": "array", "items": {"type": "string", "pattern": "^(?=x)y$"}}, "#/items", "pattern"),
        ({"properties": {"x": {"not": {"type": "string"}, "type": "string"}}, "required": ["x"]},
         "#/properties/x", "not"),
        ({"allOf": [{"type": "string"}, {"type": "integer"}]}, "#", "type"),
        ({"type": "array", "items": {"type": "boolean"}, "minItems": 3, "uniqueItems": True}, "#", "uniqueItems"),
        ({"type": "object", "properties": {"next": {"$ref": "#"}}, "required": ["next"]}, "#", "$ref"),
        ({"$ref": "https://example.com/schema.json"}, "#", "$ref"),
        ({"properties": {"k": {"const": "a", "type": "integer"}}, "required": ["k"]}, "#/properties/k", "const"),
    ],
    ids=["min-above-max", "min-items-above-max", "pattern", "not", "all-of-types", "unique", "endless-ref",
         "remote-ref", "const-vs-type"],
)
def test_unsatisfiable_schema_raises_naming_pointer_and_keyword(schema: Any, pointer: str, keyword: str) -> None:
    """A schema no value can satisfy raises UnsupportedSchema naming the schema location and the keyword at fault."""
    with pytest.raises(UnsupportedSchema) as caught:
        example_for(schema)
    assert (caught.value.pointer, caught.value.keyword) == (pointer, keyword)
    assert pointer in str(caught.value) and keyword in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_same_schema_always_yields_the_same_document() -> None:
    """Generation is pure: repeated, interleaved and copied-schema calls give equal, independent documents."""
    schema = {
        "type": "object",
        "properties": {
            "items": {"type": "array", "minItems": 2, "uniqueItems": True, "items": {"$ref": "#/$defs/item"}},
            "when": {"type": "string", "format": "date-time"},
        },
        "required": ["items", "when"],
        "additionalProperties": False,
        "$defs": {
            "item": {"type": "object", "properties": {"n": {"type": "integer", "default": 4}}, "required": ["n"]},
        },
    }
    first = generate(schema)
    assert first == {"items": [{"n": 4}, {"n": 1}], "when": "2024-01-01T00:00:00Z"}
    generate({"type": "string"})
    first["items"].clear()
    assert generate(schema) == generate(copy.deepcopy(schema)) == {
        "items": [{"n": 4}, {"n": 1}],
        "when": "2024-01-01T00:00:00Z",
    }
