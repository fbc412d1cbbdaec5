"""Pinned ids and timestamps: injected sources make whole responses predictable."""

from __future__ import annotations

from meetkai_mka1 import SDK

from mka1_mock import Clock, IdFactory, Store


def test_sequential_ids_and_frozen_clock_pin_every_value(sdk: SDK, store: Store) -> None:
    """With sequential ids and a frozen clock, ids and created_at are exactly predictable."""
    store.ids.seed(sequential=True)
    store.clock.freeze(1_704_067_200)
    first = sdk.llm.conversations.create(items=[{"type": "message", "role": "user", "content": "hi"}])
    store.clock.advance(60)
    second = sdk.llm.conversations.create()
    assert first.id == "conv_" + "0" * 31 + "1"
    assert second.id == "conv_" + "0" * 31 + "2"
    assert first.created_at == 1_704_067_200
    assert second.created_at == 1_704_067_260
    items = sdk.llm.conversations.list_items(conversation_id=first.id)
    assert [item.id for item in items.data] == ["msg_" + "0" * 31 + "1"]


def test_seeded_ids_repeat_across_runs(sdk: SDK, store: Store) -> None:
    """The same seed yields the same ids after a reset, and a different seed different ones."""
    store.ids.seed(42)
    run1 = [sdk.llm.conversations.create().id for _ in range(3)]
    store.reset()
    store.ids.seed(42)
    run2 = [sdk.llm.conversations.create().id for _ in range(3)]
    store.ids.seed(43)
    run3 = sdk.llm.conversations.create().id
    assert run1 == run2
    assert len(set(run1)) == 3 and all(i.startswith("conv_") and len(i) == 37 for i in run1)
    assert run3 not in run1


def test_id_factory_and_clock_are_independent_per_store() -> None:
    """Two stores share no id sequence or clock: state lives on the instance, not the module."""
    a = Store(clock=Clock(frozen_at=100), ids=IdFactory(sequential=True))
    b = Store(clock=Clock(frozen_at=200), ids=IdFactory(sequential=True))
    assert a.ids.new("conv") == b.ids.new("conv") == "conv_" + "0" * 31 + "1"
    a.clock.advance(5)
    assert (a.clock.now(), b.clock.now()) == (105, 200)


def test_unfrozen_clock_advances_with_an_offset() -> None:
    """advance() on a running clock shifts it by the offset; unfreeze() drops the offset."""
    ticks = iter([1000.0, 1000.5, 1001.0, 1002.0])
    clock = Clock(source=lambda: next(ticks))
    assert clock.now() == 1000
    assert clock.advance(10) == 1010
    assert clock.now() == 1011
    clock.unfreeze()
    assert clock.now() == 1002
