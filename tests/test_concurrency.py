"""The store under concurrent requests over a real socket."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from meetkai_mka1 import SDK

from mka1_mock import MockServer, Store

from .conftest import API_KEY, Api

THREADS = 8
PER_THREAD = 50


def test_parallel_item_creates_lose_nothing_and_keep_one_order(
    server: MockServer, store: Store, api: Api
) -> None:
    """8 threads x 50 item creates into one conversation leave 400 unique items in a stable order."""
    conversation = api.post("/conversations", json={}).json()
    path = f"/conversations/{conversation['id']}/items"

    def worker(thread: int) -> list[str]:
        client = Api(server.url)
        created = []
        for n in range(PER_THREAD):
            reply = client.post(
                path, json={"items": [{"role": "user", "content": f"t{thread}-n{n}"}]}
            )
            assert reply.status_code == 200, reply.text
            created.append(reply.json()["data"][0]["id"])
        client.session.close()
        return created

    with ThreadPoolExecutor(THREADS) as pool:
        per_thread = list(pool.map(worker, range(THREADS)))

    def listing(order: str) -> list[tuple[str, str]]:
        with SDK(bearer_auth=API_KEY, server_url=server.url, retry_config=None) as sdk:
            out: list[tuple[str, str]] = []
            after = None
            while True:
                page = sdk.llm.conversations.list_items(
                    conversation_id=conversation["id"], limit=100, order=order, after=after
                )
                out += [(item.id, item.content) for item in page.data]  # type: ignore[union-attr]
                if not page.has_more:
                    return out
                after = page.last_id

    first, second = listing("asc"), listing("asc")
    assert len(first) == THREADS * PER_THREAD
    assert len({item_id for item_id, _ in first}) == THREADS * PER_THREAD
    assert first == second
    assert listing("desc") == first[::-1]
    assert {item_id for item_id, _ in first} == {i for ids in per_thread for i in ids}
    # Each thread's own items appear in the order that thread created them.
    position = {item_id: n for n, (item_id, _) in enumerate(first)}
    for ids in per_thread:
        assert [position[i] for i in ids] == sorted(position[i] for i in ids)


def test_parallel_conversation_creates_are_all_listed(server: MockServer, api: Api) -> None:
    """8 threads x 20 conversation creates yield 160 distinct conversations, all listed once."""

    def worker(thread: int) -> list[str]:
        client = Api(server.url)
        ids = [
            client.post("/conversations", json={"metadata": {"t": str(thread)}}).json()["id"]
            for _ in range(20)
        ]
        client.session.close()
        return ids

    with ThreadPoolExecutor(THREADS) as pool:
        created = {i for ids in pool.map(worker, range(THREADS)) for i in ids}
    listed: list[str] = []
    after = None
    while True:
        params = {"limit": 50, **({"after": after} if after else {})}
        page = api.get("/conversations", params=params).json()
        listed += [c["id"] for c in page["data"]]
        if not page["has_more"]:
            break
        after = page["last_id"]
    assert len(created) == THREADS * 20
    assert sorted(listed) == sorted(created)
