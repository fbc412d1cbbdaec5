"""Conversations and their items: state and rules, under the core store's lock.

Every public method is one verb of the API (or of the control plane) and is atomic: it checks
everything first and changes state only when nothing is wrong, so a rejected request changes nothing.
The backend knows nothing of HTTP; it raises the wire errors of ``_core.errors`` and returns resource
models. Other backends (responses) use ``visible``/``find``/``add_items``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar

from ..._core.auth import Owner
from ..._core.errors import ConversationNotFound, InvalidCursor, InvalidRequest, ItemNotFound
from ..._core.paging import OrderedIndex, PageQuery
from ..._core.state import Commit, LoadContext, Store
from ...items.models import DEFAULT_STATUS_TYPES, ID_PREFIXES
from ...items.page import Item, ItemList
from ...items.tokens import item_tokens
from .fixture import ConversationSeed, ConversationState, FixtureConversation, seeds_from
from .record import ConversationRecord
from .schemas import Conversation, ConversationDeleted, ConversationList

__all__ = ["Conversations", "ConversationSeed", "ConversationRecord"]


class Conversations:
    """All conversations and items of one store. Every verb holds the store's lock."""

    section: ClassVar[str | None] = "conversations"
    fixture_model: ClassVar[Any] = list[FixtureConversation]

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = store.lock
        self.clock = store.clock
        self.reset()

    def reset(self) -> None:
        """Forget every conversation."""
        with self._lock:
            self._conversations: dict[str, ConversationRecord] = {}
            self._by_owner: dict[Owner, OrderedIndex[tuple[int, int]]] = {}

    # -- conversations -------------------------------------------------------------------------

    def create(
        self,
        owner: Owner,
        *,
        metadata: Mapping[str, str] | None = None,
        items: Sequence[Item] = (),
    ) -> Conversation:
        """A new conversation with ``items`` (already validated) in it."""
        with self._lock:
            now = self.clock.now()
            record = ConversationRecord(
                id=self._store.fresh_id("conv", self._conversations),
                owner=owner,
                created_at=now,
                updated_at=now,
                metadata=dict(metadata or {}),
            )
            prepared = self._prepare_items(record, items, origin=(None, None))
            self._conversations[record.id] = record
            self._add_prepared(record, prepared)
            self._touch(record, now)
            return record.to_resource()

    def list_page(
        self,
        owner: Owner,
        page: PageQuery,
        *,
        metadata: Mapping[str, str] | None = None,
        search: str | None = None,
    ) -> ConversationList:
        """A page of the owner's live conversations, by last-updated time."""
        with self._lock:
            index = self._by_owner.get(owner) or OrderedIndex()
            if page.after is not None and page.after not in index:
                raise InvalidCursor(page.after, within="a conversation in this list (unknown, deleted or not yours)")
            terms = search.lower().split() if search else []
            wanted = list((metadata or {}).items())
            accept = None
            if terms or wanted:

                def accept(conversation_id: str) -> bool:
                    record = self._conversations[conversation_id]
                    if any(record.metadata.get(k) != v for k, v in wanted):
                        return False
                    text = record.search_text() if terms else ""
                    return all(term in text for term in terms)

            ids, has_more = index.page(
                after=page.after, limit=page.limit, descending=page.order == "desc", accept=accept
            )
            data = [self._conversations[i].to_resource() for i in ids]
            return ConversationList(
                data=data,
                has_more=has_more,
                first_id=ids[0] if ids else None,
                last_id=ids[-1] if ids else None,
            )

    def get(self, owner: Owner, conversation_id: str) -> Conversation:
        with self._lock:
            return self._visible(owner, conversation_id).to_resource()

    def update(self, owner: Owner, conversation_id: str, *, metadata: Mapping[str, str]) -> Conversation:
        """Replace the conversation's metadata (OpenAI semantics: the whole map)."""
        with self._lock:
            record = self._visible(owner, conversation_id)
            record.metadata = dict(metadata)
            self._touch(record)
            return record.to_resource()

    def delete(self, owner: Owner, conversation_id: str) -> ConversationDeleted:
        """Soft delete: the conversation disappears from the API but it and its items stay stored."""
        with self._lock:
            record = self._visible(owner, conversation_id)
            record.deleted_at = max(self.clock.now(), record.created_at)
            self._by_owner[owner].remove(record.id)
            return ConversationDeleted(id=record.id)

    # -- items ---------------------------------------------------------------------------------

    def add_items(
        self,
        owner: Owner,
        conversation_id: str,
        items: Sequence[Item],
        *,
        response_id: str | None = None,
        response_metadata: Mapping[str, str] | None = None,
    ) -> ItemList:
        """Append validated items; returns exactly the created items, in request order."""
        with self._lock:
            record = self._visible(owner, conversation_id)
            prepared = self._prepare_items(record, items, origin=(response_id, response_metadata))
            self._add_prepared(record, prepared)
            self._touch(record)
            return ItemList.page([dict(item) for item in prepared], has_more=False)

    def list_items(self, owner: Owner, conversation_id: str, page: PageQuery) -> ItemList:
        with self._lock:
            record = self._visible(owner, conversation_id)
            if page.after is not None and page.after not in record.order:
                raise InvalidCursor(page.after, within=f"an item of conversation '{conversation_id}'")
            ids, has_more = record.order.page(after=page.after, limit=page.limit, descending=page.order == "desc")
            return ItemList.page([dict(record.items[i]) for i in ids], has_more=has_more)

    def get_item(self, owner: Owner, conversation_id: str, item_id: str) -> Item:
        with self._lock:
            record = self._visible(owner, conversation_id)
            if item_id not in record.items:
                raise ItemNotFound(item_id)
            return dict(record.items[item_id])

    def delete_items(
        self, owner: Owner, conversation_id: str, item_ids: Iterable[str], *, param: str | None = None
    ) -> Conversation:
        """Delete every named item, or none when any is unknown; returns the parent conversation."""
        with self._lock:
            record = self._visible(owner, conversation_id)
            unique = list(dict.fromkeys(item_ids))
            for item_id in unique:
                if item_id not in record.items:
                    raise ItemNotFound(item_id, param=param)
            for item_id in unique:
                record.tokens -= item_tokens(record.items.pop(item_id))
                record.order.remove(item_id)
            record.text = None
            self._touch(record)
            return record.to_resource()

    # -- for other backends ----------------------------------------------------------------------

    def visible(self, owner: Owner, conversation_id: str) -> ConversationRecord:
        """The live conversation ``owner`` may use (``ConversationNotFound`` otherwise). Read it, and
        change it only through the verbs, under the store's lock."""
        return self._visible(owner, conversation_id)

    def find(self, conversation_id: str) -> ConversationRecord | None:
        """The conversation with this id, whoever owns it, deleted or not."""
        return self._conversations.get(conversation_id)

    # -- control plane -------------------------------------------------------------------------

    def load(self, seeds: Sequence[ConversationSeed], *, replace: bool = False) -> list[Conversation]:
        """Add conversations as given (pinned ids and times kept); all of them or none.

        With ``replace``, the seeds become all the conversations (still all or nothing).
        """
        with self._lock:
            return self._stage_seeds(seeds, replace=replace)()

    def stage(self, data: Any, context: LoadContext, *, replace: bool) -> Commit:
        """Validate a ``conversations`` section of a state document; the commit loads it."""
        return self._stage_seeds(seeds_from(data, context), replace=replace)

    def export(self) -> list[dict[str, Any]]:
        """Every conversation, deleted ones included, in list order (oldest update first)."""
        return [state.to_fixture() for state in self.snapshot()]

    def snapshot(self) -> list[ConversationState]:
        """Every conversation, typed, deleted ones included, in list order (oldest update first)."""
        with self._lock:
            records = sorted(self._conversations.values(), key=lambda r: (r.updated_at, r.seq))
            return [record.to_state() for record in records]

    def _stage_seeds(self, seeds: Sequence[ConversationSeed], *, replace: bool) -> Callable[[], list[Any]]:
        pinned = [seed.id for seed in seeds if seed.id is not None]
        existing = {} if replace else self._conversations
        clash = next((i for i in pinned if i in existing), None)
        if clash is None and len(set(pinned)) != len(pinned):
            clash = next(i for i in pinned if pinned.count(i) > 1)
        if clash is not None:
            raise InvalidRequest(
                f"Cannot load conversation '{clash}': a conversation with that id already "
                "exists. Reset first, or leave the id out to have one generated.",
                param="conversations",
                code="duplicate_id",
            )
        now = self.clock.now()
        staged = []
        claimed = set(pinned)
        for seed in seeds:
            created = seed.created_at if seed.created_at is not None else now
            conversation_id = seed.id or self._store.fresh_id("conv", existing, claimed)
            claimed.add(conversation_id)
            record = ConversationRecord(
                id=conversation_id,
                owner=seed.owner,
                created_at=created,
                updated_at=created,
                metadata=dict(seed.metadata),
                deleted_at=seed.deleted_at,
            )
            staged.append((record, self._prepare_items(record, seed.items, origin=None), seed))

        def commit() -> list[Any]:
            if replace:
                self.reset()
            for record, prepared, seed in staged:
                self._conversations[record.id] = record
                self._add_prepared(record, prepared)
                self._touch(record, seed.updated_at if seed.updated_at is not None else record.created_at)
            return [record.to_resource() for record, _, _ in staged]

        return commit

    # -- internals -----------------------------------------------------------------------------

    def _visible(self, owner: Owner, conversation_id: str) -> ConversationRecord:
        record = self._conversations.get(conversation_id)
        if record is None or record.deleted_at is not None or record.owner != owner:
            raise ConversationNotFound(conversation_id)
        return record

    def _touch(self, record: ConversationRecord, at: int | None = None) -> None:
        """Mark the conversation updated now: it moves to the newest end of its owner's list."""
        # Never before its creation, even when a test turns the clock back (exports stay loadable).
        record.updated_at = max(self.clock.now() if at is None else at, record.created_at)
        record.seq = self._store.next_seq()
        if record.deleted_at is None:
            index = self._by_owner.setdefault(record.owner, OrderedIndex())
            index.put(record.id, (record.updated_at, record.seq))

    def _prepare_items(
        self,
        record: ConversationRecord,
        items: Sequence[Item],
        origin: tuple[str | None, Mapping[str, str] | None] | None,
    ) -> list[Item]:
        """The stored form of each item (ids filled in), after checking none clashes.

        ``origin`` is the (response id, response metadata) that produced the items; ``None`` keeps
        whatever ``response_id``/``metadata`` each item already carries (loading a fixture).
        """
        prepared: list[Item] = []
        pinned = {item["id"] for item in items if "id" in item}
        for position, item in enumerate(items):
            item_id = item.get("id")
            if item_id is not None and item_id in record.items:
                raise InvalidRequest(
                    f"Invalid 'items[{position}].id': conversation '{record.id}' already has an "
                    f"item with id '{item_id}'. Item ids must be unique within a conversation.",
                    param=f"items[{position}].id",
                    code="duplicate_item_id",
                )
            if item_id is None:
                item_id = self._store.fresh_id(ID_PREFIXES[item["type"]], record.items, pinned)
                pinned.add(item_id)
            stored: Item = {"id": item_id}
            stored.update(item)
            if item["type"] in DEFAULT_STATUS_TYPES and "status" not in stored:
                stored["status"] = "completed"
            if origin is not None:
                response_id, response_metadata = origin
                stored["response_id"] = response_id
                if response_id is not None:
                    stored["metadata"] = dict(response_metadata) if response_metadata else None
            else:
                stored.setdefault("response_id", None)
            prepared.append(stored)
        return prepared

    def _add_prepared(self, record: ConversationRecord, prepared: Sequence[Item]) -> None:
        for item in prepared:
            seq = self._store.next_seq()
            record.items[item["id"]] = item
            record.order.put(item["id"], seq)
            record.tokens += item_tokens(item)
        if prepared:
            record.text = None
