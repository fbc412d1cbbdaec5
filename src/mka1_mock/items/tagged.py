"""Building blocks of the item models: tagged unions whose tags never reach an error's ``param``.

Polymorphic values (content parts, annotations, actions, ...) are unions dispatched by a callable
``Discriminator``; every tag starts with ``#`` and is dropped from error paths.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union, get_args

from pydantic import Discriminator, Field, Tag

from .._core.validation import UNION_TAGS, RequestModel

__all__ = ["ABSENT", "Attribute", "ItemId", "ItemStatus", "Number", "content_kind", "tagged_union", "type_tag"]

# The default of an optional, non-nullable key. It is never stored (dumps use ``exclude_unset``), and an
# explicit ``null`` is still rejected because the field's type does not allow it.
ABSENT: Any = None

ItemStatus = Literal["in_progress", "completed", "incomplete"]

# An item's own id: a non-empty string (it becomes a path segment and a pagination cursor).
ItemId = Annotated[str, Field(min_length=1, max_length=256)]


def type_tag(model: type[RequestModel]) -> str:
    """The ``type`` value a model is tagged with (the single value of its ``type`` Literal)."""
    return str(get_args(model.model_fields["type"].annotation)[0])


def tagged_union(*models: type[RequestModel], bare_strings: bool = False) -> Any:
    """A union of ``type``-tagged objects (optionally also bare strings), dispatched on ``type``."""
    tags = {type_tag(m) for m in models}
    fallback = f"#{type_tag(models[0])}"

    def by_type(value: Any) -> str:
        if isinstance(value, RequestModel):  # serialising a validated value
            return f"#{getattr(value, 'type')}"  # noqa: B009 - every tagged model has `type`
        if isinstance(value, dict) and "type" in value:
            kind = value["type"]
            return f"#{kind}" if isinstance(kind, str) and kind in tags else "?"  # "?": invalid tag
        if bare_strings and isinstance(value, str):
            return "text"  # only strings get here, and they always validate, so no error path has it
        return fallback  # no object or no `type`: the first model says what is missing or wrong

    UNION_TAGS.update(f"#{tag}" for tag in tags)
    choices = [Annotated[m, Tag(f"#{type_tag(m)}")] for m in models]
    if bare_strings:
        choices.append(Annotated[str, Tag("text")])
    return Annotated[Union[tuple(choices)], Discriminator(by_type)]  # noqa: UP007 - a runtime-built union


def _number_kind(value: Any) -> str:
    return "#int" if isinstance(value, int) and not isinstance(value, bool) else "#number"


def _attribute_kind(value: Any) -> str:
    if isinstance(value, str):
        return "#str"
    return "#bool" if isinstance(value, bool) else _number_kind(value)


def content_kind(value: Any) -> str | None:
    """``#str`` / ``#list``; anything else is union_tag_not_found on a non-object ("string or array")."""
    if isinstance(value, str):
        return "#str"
    return "#list" if isinstance(value, list) else None


UNION_TAGS.update(("#int", "#number", "#str", "#bool", "#list"))

# A JSON number kept as sent (strict ``float`` would turn 1 into 1.0).
Number = Annotated[Annotated[int, Tag("#int")] | Annotated[float, Tag("#number")], Discriminator(_number_kind)]
Attribute = Annotated[
    Annotated[str, Tag("#str")]
    | Annotated[bool, Tag("#bool")]
    | Annotated[int, Tag("#int")]
    | Annotated[float, Tag("#number")],
    Discriminator(_attribute_kind),
]
