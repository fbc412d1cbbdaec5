"""Responses: their records and rules, kept under the conversation store's lock.

A response reads its context from a conversation (``conversation``) or from the chain of earlier
responses (``previous_response_id``), asks the ``Responder`` for its output, and on completion
appends its input and output items to the conversation. Background responses move queued ->
in_progress -> completed as the test chooses (``BackgroundPolicy``).
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from ..._core.auth import Owner
from ..._core.errors import InvalidCursor, InvalidRequest, ResponseNotFound
from ..._core.paging import OrderedIndex, PageQuery
from ..._core.state import Commit, LoadContext, Store
from ...fake_model.reply import Reply
from ...fake_model.responder import ModelContext, Responder, apply_token_limit
from ...items.models import ID_PREFIXES
from ...items.page import Item, ItemList
from ...items.tokens import count_tokens, item_tokens, usage
from ..conversations import Conversations
from ..models import Models
from ._history import Concat, History, resolve_references
from .objects import ResponseDeleted, ResponseList, ResponseObject, ResponseStatus
from .schemas import CreateResponseBody

__all__ = ["Responses", "BackgroundPolicy", "ResponseRecord"]

FINISHED = frozenset({"completed", "failed", "incomplete", "cancelled"})


@dataclass
class BackgroundPolicy:
    """How background responses progress: ``immediate`` (the create answers ``queued``, but the
    response finishes right after it), ``retrievals`` (completed on the Nth GET, in_progress before
    that) or ``manual`` (only ``advance``/``complete`` from the test move them)."""

    mode: Literal["immediate", "retrievals", "manual"] = "retrievals"
    retrievals: int = 2


@dataclass(slots=True)
class ResponseRecord:
    id: str
    owner: Owner
    seq: int
    created_at: int
    request: CreateResponseBody
    history: History
    input_items: list[Item]
    context_tokens: int
    reply: Reply
    conversation_id: str | None
    status: ResponseStatus = "queued"
    completed_at: int | None = None
    output: list[Item] = field(default_factory=list)
    usage: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, str] = field(default_factory=dict)
    polls: int = 0
    input_index: OrderedIndex[int] = field(default_factory=OrderedIndex)

    def to_resource(self) -> ResponseObject:
        request = self.request
        text = request.text.model_dump(by_alias=True, exclude_none=True) if request.text else {}
        text.setdefault("format", {"type": "text"})
        return ResponseObject(
            id=self.id,
            created_at=self.created_at,
            completed_at=self.completed_at,
            status=self.status,
            error=self.reply.error if self.status == "failed" else None,
            incomplete_details=self.reply.incomplete_details if self.status == "incomplete" else None,
            background=request.background,
            instructions=request.instructions,
            max_output_tokens=request.max_output_tokens,
            max_tool_calls=request.max_tool_calls,
            metadata=dict(self.metadata),
            model=request.model,
            output=[dict(item) for item in self.output],
            output_text="".join(
                part.get("text", "")
                for item in self.output
                if item.get("type") == "message" and isinstance(item.get("content"), list)
                for part in item["content"]
                if part.get("type") == "output_text"
            ),
            parallel_tool_calls=request.parallel_tool_calls,
            previous_response_id=request.previous_response_id,
            store=request.store,
            text=text,
            tool_choice=request.tool_choice if request.tool_choice is not None else "auto",
            tools=list(request.tools or []),
            truncation=request.truncation,
            usage=self.usage or usage(0, ()),
            user=request.user,
            conversation={"id": self.conversation_id} if self.conversation_id else None,
            service_tier=request.service_tier,
            temperature=request.temperature,
            top_p=request.top_p,
            reasoning=request.reasoning,
            resolved_model=request.model,
            resolved_provider="mka1-mock",
        )


class Responses:
    """All responses of one store. Every verb holds the store's lock; conversations are reached
    through the ``Conversations`` backend's public verbs."""

    # Responses are not exported yet: the section exists so a replace empties them, and loading
    # any is a clear 400 rather than a silent drop.
    section: ClassVar[str | None] = "responses"
    fixture_model: ClassVar[Any] = None

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = store.lock
        self.reset()

    @property
    def _conversations(self) -> Conversations:
        return self._store.backend(Conversations)

    def reset(self) -> None:
        """Forget every response; background responses progress by the default policy again."""
        with self._lock:
            self.clear()
            self.background = BackgroundPolicy()

    def clear(self) -> None:
        """Forget every response (the background policy stays)."""
        with self._lock:
            self._records: dict[str, ResponseRecord] = {}
            self._by_owner: dict[Owner, OrderedIndex[tuple[int, int]]] = {}
            self._seq = 0

    def export(self) -> Any:
        return None

    def stage(self, data: Any, context: LoadContext, *, replace: bool) -> Commit:
        if data:
            raise InvalidRequest(
                f"Invalid {context.source}: 'responses' cannot be loaded yet; create them through "
                "the API (POST /api/v1/llm/responses) after loading the conversations.",
                param="responses",
                code="unsupported_section",
            )

        def commit() -> list[Any]:
            if replace:
                self.clear()
            return []

        return commit

    # -- verbs ---------------------------------------------------------------------------------

    def create(self, owner: Owner, body: CreateResponseBody, responder: Responder) -> ResponseObject:
        """Create (and, unless in the background, complete) a response."""
        store = self._store
        with self._lock:
            if store.has(Models):
                store.backend(Models).require(body.model)
            history = History()
            taken: dict[str, Item] = {}
            if body.conversation_id is not None:
                conversation = self._conversations.visible(owner, body.conversation_id)
                taken = conversation.items
                history = History(conversation=conversation, watermark=store.seq)
                history_tokens = conversation.tokens
            elif body.previous_response_id is not None:
                previous = self._records.get(body.previous_response_id)
                if previous is None or previous.owner != owner or not previous.request.store:
                    raise InvalidRequest(
                        f"Previous response with id '{body.previous_response_id}' not found.",
                        param="previous_response_id",
                        code="previous_response_not_found",
                    )
                history = History(previous=previous)
                history_tokens = previous.context_tokens + sum(item_tokens(i) for i in previous.output)
            else:
                history_tokens = 0
            input_items = self._input_items(body, taken)
            past = history.items()
            resolved = resolve_references(input_items, history.lookup(past))
            context = ModelContext(
                model=body.model,
                items=Concat(past, resolved),
                instructions=body.instructions,
                tools=body.tools or (),
                tool_choice=body.tool_choice,
                text_format=body.text_format,
                conversation_id=body.conversation_id,
                max_output_tokens=body.max_output_tokens,
            )
            reply = apply_token_limit(responder.decide(context), body.max_output_tokens)
            self._seq += 1
            record = ResponseRecord(
                id=store.fresh_id("resp", self._records),
                owner=owner,
                seq=self._seq,
                created_at=store.clock.now(),
                request=body,
                history=history,
                input_items=input_items,
                context_tokens=history_tokens + sum(item_tokens(i) for i in resolved),
                reply=reply,
                conversation_id=body.conversation_id,
                metadata=dict(body.metadata or {}),
            )
            for position, item in enumerate(input_items):
                record.input_index.put(item["id"], position)
            answer = record.to_resource()  # queued, for a background response
            if not body.background or self.background.mode == "immediate":
                self._finish(record, reply.status)
                if not body.background:
                    answer = record.to_resource()
            # Stored only now: a failure above leaves no trace of the request.
            self._records[record.id] = record
            if body.store:
                self._by_owner.setdefault(owner, OrderedIndex()).put(record.id, (record.created_at, record.seq))
            return answer

    def get(self, owner: Owner, response_id: str) -> ResponseObject:
        """The response; each retrieval moves a background response along its policy."""
        with self._lock:
            record = self._visible(owner, response_id)
            if record.request.background and record.status not in FINISHED:
                record.polls += 1
                if self.background.mode == "retrievals":
                    if record.polls >= self.background.retrievals:
                        self._finish(record, record.reply.status)
                    else:
                        record.status = "in_progress"
            return record.to_resource()

    def list_responses(self, owner: Owner, page: PageQuery, before: str | None = None) -> ResponseList:
        with self._lock:
            index = self._by_owner.get(owner) or OrderedIndex()
            for name, cursor in (("after", page.after), ("before", before)):
                if cursor is not None and cursor not in index:
                    raise InvalidCursor(cursor, within="a response in this list", param=name)
            descending = page.order == "desc"
            if before is not None:
                ids, has_more = index.page(after=before, limit=page.limit, descending=not descending)
                ids.reverse()
            else:
                ids, has_more = index.page(after=page.after, limit=page.limit, descending=descending)
            data = [self._records[i].to_resource() for i in ids]
            return ResponseList(
                data=data,
                has_more=has_more,
                first_id=ids[0] if ids else None,
                last_id=ids[-1] if ids else None,
            )

    def update(self, owner: Owner, response_id: str, metadata: dict[str, str]) -> ResponseObject:
        with self._lock:
            record = self._visible(owner, response_id)
            record.metadata = dict(metadata)
            return record.to_resource()

    def delete(self, owner: Owner, response_id: str) -> ResponseDeleted:
        with self._lock:
            record = self._visible(owner, response_id)
            del self._records[record.id]
            self._by_owner[owner].remove(record.id)
            return ResponseDeleted(id=record.id)

    def cancel(self, owner: Owner, response_id: str) -> ResponseObject:
        """Cancel a queued or running background response (nothing is appended anywhere)."""
        with self._lock:
            record = self._visible(owner, response_id)
            if not record.request.background:
                raise InvalidRequest(
                    "Only background responses can be cancelled; this one was created with 'background': false.",
                    param="response_id",
                    code="response_not_cancellable",
                )
            if record.status in FINISHED:
                raise InvalidRequest(
                    f"Cannot cancel a response whose status is '{record.status}'.",
                    param="response_id",
                    code="response_not_cancellable",
                )
            record.status = "cancelled"
            record.completed_at = self._store.clock.now()
            return record.to_resource()

    def input_items(self, owner: Owner, response_id: str, page: PageQuery) -> ItemList:
        with self._lock:
            record = self._visible(owner, response_id)
            if page.after is not None and page.after not in record.input_index:
                raise InvalidCursor(page.after, within=f"an input item of response '{response_id}'")
            ids, has_more = record.input_index.page(after=page.after, limit=page.limit, descending=page.order == "desc")
            by_id = {item["id"]: item for item in record.input_items}
            return ItemList.page([dict(by_id[i]) for i in ids], has_more=has_more)

    def follow(self, response_id: str) -> ResponseObject:
        """The response as a stream ends it: a background one is followed to its end, except in
        ``manual`` mode, where only the test moves it (the stream then stops where it is)."""
        with self._lock:
            record = self._records[response_id]
            if record.status not in FINISHED and self.background.mode != "manual":
                self._finish(record, record.reply.status)
            return record.to_resource()

    # -- control plane -------------------------------------------------------------------------

    def set_background(self, policy: BackgroundPolicy) -> None:
        with self._lock:
            self.background = policy

    def advance(self, response_id: str, *, to_end: bool = False) -> ResponseObject:
        """Move a background response one step (queued -> in_progress -> done), or to the end."""
        with self._lock:
            record = self._records.get(response_id)
            if record is None:
                raise ResponseNotFound(response_id)
            if record.status == "queued" and not to_end:
                record.status = "in_progress"
            elif record.status not in FINISHED:
                self._finish(record, record.reply.status)
            return record.to_resource()

    # -- internals -----------------------------------------------------------------------------

    def _visible(self, owner: Owner, response_id: str) -> ResponseRecord:
        record = self._records.get(response_id)
        if record is None or record.owner != owner or not record.request.store:
            raise ResponseNotFound(response_id)
        return record

    def _input_items(self, body: CreateResponseBody, taken: dict[str, Item]) -> list[Item]:
        """The request's input as stored items (ids kept or generated), checked against clashes."""
        raw = body.input_items
        items: list[Item] = (
            [{"type": "message", "role": "user", "content": raw}] if isinstance(raw, str) else list(raw or [])
        )
        out: list[Item] = []
        claimed: set[str] = {i["id"] for i in items if "id" in i}
        for position, item in enumerate(items):
            item_id = item.get("id")
            if item_id is not None and item_id in taken and item.get("type") != "item_reference":
                raise InvalidRequest(
                    f"Invalid 'input[{position}].id': the conversation already has an item with id "
                    f"'{item_id}'. Item ids must be unique within a conversation.",
                    param=f"input[{position}].id",
                    code="duplicate_item_id",
                )
            if item_id is None:
                item_id = self._store.fresh_id(ID_PREFIXES[item["type"]], taken, claimed)
                claimed.add(item_id)
            out.append({"id": item_id, **item})
        return out

    def _finish(self, record: ResponseRecord, status: ResponseStatus) -> None:
        """Complete the response: output items get ids; completed/incomplete ones are appended."""
        store = self._store
        claimed: set[str] = {item["id"] for item in record.input_items}
        conversation = self._conversations.find(record.conversation_id or "")
        in_conversation: Container[str] = conversation.items if conversation is not None else ()
        output: list[Item] = []
        for item in record.reply.output:
            item_id = item.get("id")
            if item_id is None or item_id in claimed or item_id in in_conversation:
                # A scripted reply may pin ids; one that is taken (a rule answering twice in one
                # conversation) gets a fresh id instead of losing the item.
                item_id = store.fresh_id(ID_PREFIXES[item["type"]], claimed, in_conversation)
            claimed.add(item_id)
            stored = {"id": item_id, **{k: v for k, v in item.items() if k != "id"}}
            if item["type"] == "function_call" and not item.get("call_id"):
                stored["call_id"] = "call_" + item_id.split("_", 1)[1]
            output.append(stored)
        record.output = output
        record.status = status
        record.completed_at = store.clock.now()
        record.usage = usage(count_tokens(record.request.instructions or "") + record.context_tokens, output)
        if conversation is None or status not in ("completed", "incomplete"):
            return
        if conversation.deleted_at is not None:
            return  # deleted meanwhile (a background response): nothing to append to
        appended = [
            item
            for item in [*record.input_items, *output]
            if item.get("type") != "item_reference" and item["id"] not in conversation.items
        ]
        self._conversations.add_items(
            record.owner,
            conversation.id,
            [dict(item) for item in appended],
            response_id=record.id,
            response_metadata=record.metadata or None,
        )
