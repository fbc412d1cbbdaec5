"""``/__mock__/``: the control plane over HTTP, for a standalone server (no API key needed).

Each endpoint is a thin door onto one ``Controller`` method of the same name (the in-process handle
is the other door). Bodies are pydantic models; any body is read as JSON (``curl -d`` works).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from .._core.endpoints import Call, Endpoint
from .._core.validation import QueryModel, RequestModel
from ..fake_model.reply import Reply
from ..items.page import Item
from ..resources.conversations.schemas import Conversation
from ..resources.models.schemas import ModelDefinition, ModelList
from ..resources.responses.objects import ResponseObject
from .controller import BackgroundMode, Controller
from .faults import FaultSpec

__all__ = ["ENDPOINTS", "PREFIX"]

PREFIX = "/__mock__"

_REPLY_DOC = (
    "A reply in its JSON form: a string (text) or an object with exactly one of 'text', 'json', "
    "'function_call', 'refusal', 'reasoning' (with optional 'then'), 'failure', 'incomplete', 'items'."
)
# Checked by ``Reply.from_spec`` (its errors name the exact field); the schema shows the two shapes.
ReplySpec = Annotated[
    Any, WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "object"}], "description": _REPLY_DOC})
]


class _Open(BaseModel):
    """An answer of the control plane (extra keys allowed: it is ours to extend)."""

    model_config = ConfigDict(extra="allow")


# -- bodies --------------------------------------------------------------------------------------


class ClockBody(RequestModel):
    freeze_at: int | None = Field(None, description="Freeze the clock at this Unix time.")
    advance: int | None = Field(None, description="Move the clock forward by this many seconds.")
    unfreeze: bool = Field(False, description="Follow the system clock again (applied first).")


class FreezeTimeBody(RequestModel):
    at: int | None = Field(None, description="Unix seconds; default: now.")


class AdvanceTimeBody(RequestModel):
    seconds: int


class SeedIdsBody(RequestModel):
    seed: int | None = None
    sequential: bool = False


class QueueReplyBody(RequestModel):
    replies: list[ReplySpec] = Field(min_length=1)


class RuleMatch(RequestModel):
    text: str | None = Field(None, description="A regex searched in the last user message.")
    model: str | None = None
    tool: str | None = Field(None, description="A tool name that must be offered.")
    conversation: str | None = None


class AddRuleBody(RequestModel):
    match: RuleMatch = RuleMatch()
    reply: ReplySpec
    times: int | None = Field(None, ge=1)


class BackgroundBody(RequestModel):
    mode: BackgroundMode = "retrievals"
    retrievals: int = Field(2, ge=1)


class AdvanceResponseBody(RequestModel):
    to_end: bool = False


class AddConversationBody(RequestModel):
    id: str | None = Field(None, min_length=1)
    api_key: str | None = Field(None, min_length=1)
    user_id: str | None = Field(None, min_length=1)
    on_behalf_of: str | None = Field(None, min_length=1)
    created_at: int | None = Field(None, ge=0)
    updated_at: int | None = Field(None, ge=0)
    deleted_at: int | None = Field(None, ge=0)
    metadata: dict[str, str] = Field(default_factory=dict)
    items: list[dict[str, Any]] = Field(default_factory=list)


class AddItemsBody(RequestModel):
    items: list[dict[str, Any]] = Field(min_length=1)
    api_key: str | None = Field(None, min_length=1)
    on_behalf_of: str | None = Field(None, min_length=1)


class SetModelsBody(RequestModel):
    object: Literal["list"] = Field("list", description="Optional: GET /__mock__/models' answer goes back as is.")
    data: list[ModelDefinition] = Field(description="The new catalogue: model objects, only 'id' required.")


class StrictModelsBody(RequestModel):
    strict: bool = True


class RateLimitBody(RequestModel):
    per_second: int | None = Field(None, ge=0)
    per_minute: int | None = Field(None, ge=0)
    per_hour: int | None = Field(None, ge=0)
    per_day: int | None = Field(None, ge=0)
    api_key: str | None = Field(None, min_length=1, description="Only this key (default: every key).")


class PinEmbeddingBody(RequestModel):
    text: str = Field(min_length=1)
    embedding: list[float] = Field(min_length=1)
    model: str | None = Field(None, min_length=1, description="Only for this model (default: every model).")


class StateDocument(BaseModel):
    """A fixture document (see ``fixtures/fixture.schema.json``); checked by the controller."""

    model_config = ConfigDict(extra="allow")


class RequestsQuery(QueryModel):
    method: str | None = Field(None, description="Only requests with this method.")
    path: str | None = Field(None, description="A path glob: '*' within a segment, '**' across.")


# -- answers -------------------------------------------------------------------------------------


class Summary(_Open):
    conversations: int
    items: int


class ResetAnswer(Summary):
    reset: bool


class LoadedAnswer(Summary):
    loaded: list[str]


class ClockAnswer(_Open):
    now: int
    frozen: bool


class IdsAnswer(_Open):
    seed: int | None
    sequential: bool


class StrictAnswer(_Open):
    strict: bool


class PinList(_Open):
    object: str
    data: list[dict[str, Any]]


class ScriptsAnswer(_Open):
    queue: list[str]
    rules: list[str]


class BackgroundAnswer(_Open):
    mode: BackgroundMode
    retrievals: int


class RequestList(_Open):
    object: str
    data: list[dict[str, Any]]


class Cleared(_Open):
    cleared: bool


class ItemsAnswer(_Open):
    object: str
    data: list[Item]


class FaultList(_Open):
    object: str
    data: list[dict[str, Any]]


class RateLimitsAnswer(_Open):
    default: dict[str, int]
    keys: dict[str, dict[str, int]]
    counts: list[dict[str, Any]]


class FailureList(_Open):
    object: str
    data: list[dict[str, str]]


# -- doors ---------------------------------------------------------------------------------------


def _control(call: Call) -> Controller:
    return call.request.app.state.control  # type: ignore[no-any-return]


def _pending(control: Controller) -> dict[str, list[str]]:
    scripts = control.scripts()
    return {"queue": scripts["queue"], "rules": scripts["rules"]}


def reset(call: Call) -> dict[str, Any]:
    control = _control(call)
    control.reset()
    return {"reset": True, **control.summary()}


def export(call: Call) -> dict[str, Any]:
    return _control(call).export()


def replace_state(call: Call) -> dict[str, Any]:
    control = _control(call)
    control.replace_state(call.body.model_dump(by_alias=True))
    return control.summary()


def load(call: Call) -> dict[str, Any]:
    control = _control(call)
    loaded = control.load(call.body.model_dump(by_alias=True))
    return {"loaded": [c.id for c in loaded], **control.summary()}


def add_conversation(call: Call) -> Conversation:
    body: AddConversationBody = call.body
    return _control(call).add_conversation(**body.model_dump())


def add_items(call: Call) -> dict[str, Any]:
    body: AddItemsBody = call.body
    created = _control(call).add_items(
        call.path["conversation_id"], body.items, api_key=body.api_key, on_behalf_of=body.on_behalf_of
    )
    return {"object": "list", "data": [item.model_dump() for item in created]}


def requests(call: Call) -> dict[str, Any]:
    query: RequestsQuery = call.query
    return {"object": "list", "data": _control(call).requests(query.method, query.path)}


def clear_requests(call: Call) -> dict[str, Any]:
    _control(call).clear_requests()
    return {"cleared": True}


def failures(call: Call) -> dict[str, Any]:
    return {"object": "list", "data": _control(call).failures()}


def set_clock(call: Call) -> dict[str, Any]:
    body: ClockBody = call.body
    control = _control(call)
    if body.unfreeze:
        control.unfreeze_time()
    if body.freeze_at is not None:
        control.freeze_time(body.freeze_at)
    if body.advance is not None:
        control.advance_time(body.advance)
    return control.clock()


def clock(call: Call) -> dict[str, Any]:
    return _control(call).clock()


def freeze_time(call: Call) -> dict[str, Any]:
    control = _control(call)
    control.freeze_time(call.body.at)
    return control.clock()


def advance_time(call: Call) -> dict[str, Any]:
    control = _control(call)
    control.advance_time(call.body.seconds)
    return control.clock()


def unfreeze_time(call: Call) -> dict[str, Any]:
    control = _control(call)
    control.unfreeze_time()
    return control.clock()


def seed_ids(call: Call) -> dict[str, Any]:
    body: SeedIdsBody = call.body
    _control(call).seed_ids(body.seed, sequential=body.sequential)
    return {"seed": body.seed, "sequential": body.sequential}


def models(call: Call) -> dict[str, Any]:
    return {"object": "list", "data": [m.to_wire() for m in _control(call).models()]}


def set_models(call: Call) -> dict[str, Any]:
    body: SetModelsBody = call.body
    listed = _control(call).set_models([d.model_dump() for d in body.data])
    return {"object": "list", "data": [m.to_wire() for m in listed]}


def strict_models(call: Call) -> dict[str, Any]:
    body: StrictModelsBody = call.body
    _control(call).strict_models(body.strict)
    return {"strict": body.strict}


def pin_embedding(call: Call) -> dict[str, Any]:
    body: PinEmbeddingBody = call.body
    control = _control(call)
    control.pin_embedding(body.text, body.embedding, model=body.model)
    return {"object": "list", "data": control.embedding_pins()}


def embedding_pins(call: Call) -> dict[str, Any]:
    return {"object": "list", "data": _control(call).embedding_pins()}


def queue_reply(call: Call) -> dict[str, Any]:
    body: QueueReplyBody = call.body
    replies = [Reply.from_spec(spec, f"replies[{n}]") for n, spec in enumerate(body.replies)]
    control = _control(call)
    control.queue_reply(*replies)
    return _pending(control)


def add_rule(call: Call) -> dict[str, Any]:
    body: AddRuleBody = call.body
    match = body.match
    control = _control(call)
    control.add_rule(
        Reply.from_spec(body.reply),
        text=match.text,
        model=match.model,
        tool=match.tool,
        conversation=match.conversation,
        times=body.times,
    )
    return _pending(control)


def scripts(call: Call) -> dict[str, Any]:
    return _control(call).scripts()


def clear_scripts(call: Call) -> dict[str, Any]:
    control = _control(call)
    control.clear_scripts()
    return _pending(control)


def background_responses(call: Call) -> dict[str, Any]:
    body: BackgroundBody = call.body
    _control(call).background_responses(body.mode, body.retrievals)
    return {"mode": body.mode, "retrievals": body.retrievals}


def advance_response(call: Call) -> ResponseObject:
    body: AdvanceResponseBody = call.body
    return _control(call).advance_response(call.path["response_id"], to_end=body.to_end)


def complete_response(call: Call) -> ResponseObject:
    return _control(call).complete_response(call.path["response_id"])


def add_fault(call: Call) -> dict[str, Any]:
    body: FaultSpec = call.body
    spec = body.model_dump(exclude_unset=True)
    rule = _control(call).add_fault(
        spec.get("match"), spec["action"], times=body.times, probability=body.probability, seed=body.seed
    )
    return rule.describe()


def faults(call: Call) -> dict[str, Any]:
    return {"object": "list", "data": [rule.describe() for rule in _control(call).faults()]}


def clear_faults(call: Call) -> dict[str, Any]:
    _control(call).clear_faults()
    return {"cleared": True}


def rate_limit(call: Call) -> dict[str, Any]:
    body: RateLimitBody = call.body
    return _control(call).rate_limit(**body.model_dump())


def rate_limits(call: Call) -> dict[str, Any]:
    return _control(call).rate_limits()


def clear_rate_limits(call: Call) -> dict[str, Any]:
    _control(call).clear_rate_limits()
    return {"cleared": True}


_TAGS = ("Control plane",)


def _door(method: str, path: str, handler: Any, summary: str, **kw: Any) -> Endpoint:
    return Endpoint(method, PREFIX + path, handler, summary, authenticated=False, tags=_TAGS, **kw)


ENDPOINTS = (
    _door("POST", "/reset", reset, "Reset the whole mock (state, journal, clock, ids, scripts)",
          returns=ResetAnswer),
    _door("GET", "/state", export, "Export the state as a fixture document", returns=StateDocument),
    _door("PUT", "/state", replace_state, "Replace the whole state with a fixture document", body=StateDocument,
          returns=Summary),
    _door("POST", "/fixtures", load, "Load a fixture document (added to the state)", body=StateDocument,
          returns=LoadedAnswer),
    _door("POST", "/conversations", add_conversation, "Seed one conversation", body=AddConversationBody,
          returns=Conversation),
    _door("POST", "/conversations/{conversation_id}/items", add_items, "Append items to a conversation",
          body=AddItemsBody, returns=ItemsAnswer, errors=(404,)),
    _door("GET", "/requests", requests, "The request journal", query=RequestsQuery, returns=RequestList),
    _door("DELETE", "/requests", clear_requests, "Empty the request journal", returns=Cleared),
    _door("GET", "/failures", failures, "Requests that crashed the mock", returns=FailureList),
    _door("GET", "/clock", clock, "The mock's time", returns=ClockAnswer),
    _door("POST", "/clock", set_clock, "Unfreeze, freeze and/or advance the clock in one call", body=ClockBody,
          returns=ClockAnswer),
    _door("POST", "/clock/freeze", freeze_time, "Freeze the clock", body=FreezeTimeBody, returns=ClockAnswer),
    _door("POST", "/clock/advance", advance_time, "Move the clock forward", body=AdvanceTimeBody,
          returns=ClockAnswer),
    _door("POST", "/clock/unfreeze", unfreeze_time, "Follow the system clock again", returns=ClockAnswer),
    _door("POST", "/ids", seed_ids, "Seed the id factory (seeded random or sequential)", body=SeedIdsBody,
          returns=IdsAnswer),
    _door("GET", "/models", models, "The models catalogue", returns=ModelList),
    _door("PUT", "/models", set_models, "Replace the models catalogue (until reset)", body=SetModelsBody,
          returns=ModelList),
    _door("POST", "/models/strict", strict_models, "Responses must name a catalogue model (or auto)",
          body=StrictModelsBody, returns=StrictAnswer),
    _door("POST", "/embeddings/pins", pin_embedding, "Pin the vector an embeddings request answers for a text",
          body=PinEmbeddingBody, returns=PinList),
    _door("GET", "/embeddings/pins", embedding_pins, "The pinned embeddings texts", returns=PinList),
    _door("GET", "/responder", scripts, "The fake model's queued replies and rules", returns=ScriptsAnswer),
    _door("DELETE", "/responder", clear_scripts, "Drop every queued reply and rule", returns=ScriptsAnswer),
    _door("POST", "/responder/replies", queue_reply, "Queue replies for the next responses", body=QueueReplyBody,
          returns=ScriptsAnswer),
    _door("POST", "/responder/rules", add_rule, "Add a reply rule", body=AddRuleBody, returns=ScriptsAnswer),
    _door("POST", "/background", background_responses, "How background responses progress",
          body=BackgroundBody, returns=BackgroundAnswer),
    _door("POST", "/responses/{response_id}/advance", advance_response, "Move a background response one step",
          body=AdvanceResponseBody, returns=ResponseObject, errors=(404,)),
    _door("POST", "/responses/{response_id}/complete", complete_response, "Finish a background response now",
          returns=ResponseObject, errors=(404,)),
    _door("POST", "/faults", add_fault, "Add a fault rule", body=FaultSpec, returns=_Open),
    _door("GET", "/faults", faults, "The fault rules, with how often each fired", returns=FaultList),
    _door("DELETE", "/faults", clear_faults, "Drop every fault rule", returns=Cleared),
    _door("POST", "/rate-limits", rate_limit, "Set the gateway's per-key rate limits", body=RateLimitBody,
          returns=RateLimitsAnswer),
    _door("GET", "/rate-limits", rate_limits, "The rate limits and current counts", returns=RateLimitsAnswer),
    _door("DELETE", "/rate-limits", clear_rate_limits, "Turn rate limiting off", returns=Cleared),
)  # fmt: skip
