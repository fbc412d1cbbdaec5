"""The package layout: public surfaces, the backend registry, and one control action with two doors."""

from __future__ import annotations

import importlib
from typing import Any, ClassVar

import pytest

from mka1_mock import Mka1Mock, Store, create_app
from mka1_mock._core.errors import InvalidRequest
from mka1_mock._core.state import Commit, LoadContext
from mka1_mock.control.controller import Controller
from mka1_mock.control.endpoints import ENDPOINTS as CONTROL_ENDPOINTS
from mka1_mock.resources import RESOURCES

PACKAGES = [
    "mka1_mock",
    "mka1_mock.control",
    "mka1_mock.fake_model",
    "mka1_mock.items",
    "mka1_mock.resources",
    *(resource.__name__ for resource in RESOURCES),
]


@pytest.mark.parametrize("name", PACKAGES)
def test_every_package_declares_its_public_names(name: str) -> None:
    """Each package has an explicit ``__all__`` and every name in it resolves."""
    module = importlib.import_module(name)
    assert module.__all__, f"{name} has an empty __all__"
    missing = [attr for attr in module.__all__ if not hasattr(module, attr)]
    assert missing == []


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.__name__.rsplit(".", 1)[-1])
def test_every_resource_is_one_package_of_the_same_shape(resource: Any) -> None:
    """A resource package exports its backend class, a backend factory and its endpoint table."""
    assert isinstance(resource.BACKEND.section, (str, type(None)))
    assert resource.ENDPOINTS, "a resource without endpoints"
    for part in ("schemas", "backend", "endpoints"):
        importlib.import_module(f"{resource.__name__}.{part}")


class Widgets:
    """A resource a plugin author might add: it only registers with the store."""

    section: ClassVar[str | None] = "widgets"
    fixture_model: ClassVar[Any] = list[str]

    def __init__(self, store: Store) -> None:
        self.names: list[str] = []
        self.resets = 0

    def reset(self) -> None:
        self.names = []
        self.resets += 1

    def export(self) -> Any:
        return list(self.names) or None

    def stage(self, data: Any, context: LoadContext, *, replace: bool) -> Commit:
        if not all(isinstance(name, str) for name in data):
            raise InvalidRequest(f"Invalid {context.source}: widgets are strings.", param="widgets")

        def commit() -> list[Any]:
            self.names = [*([] if replace else self.names), *data]
            return list(data)

        return commit


def _context(source: str = "test") -> LoadContext:
    from mka1_mock._core.auth import make_owner

    return LoadContext(source=source, owner=lambda key, user, obo: make_owner(user or "user_x", obo))


def test_a_registered_backend_takes_part_in_reset_export_and_load() -> None:
    """Registering a backend is all it takes: the store resets, exports and loads it with the others."""
    store = Store()
    create_app(store)
    widgets = Widgets(store)
    store.register(widgets)

    loaded = store.load({"widgets": ["a", "b"]}, _context())
    assert loaded == {"widgets": ["a", "b"]}
    assert store.export() == {"conversations": [], "widgets": ["a", "b"]}

    store.reset()
    assert widgets.names == [] and widgets.resets == 1
    assert store.export() == {"conversations": []}


def test_a_load_is_all_or_nothing_across_backends() -> None:
    """A bad section in one backend leaves every other backend untouched."""
    store = Store()
    create_app(store)
    widgets = Widgets(store)
    store.register(widgets)
    with pytest.raises(InvalidRequest) as caught:
        store.load({"conversations": [{"items": [{"type": "nope"}]}], "widgets": ["kept?"]}, _context("fixture"))
    assert caught.value.param is not None and caught.value.param.startswith("conversations[0].items[0]")
    assert widgets.names == []
    assert store.export() == {"conversations": []}


def test_an_unknown_section_is_a_400_naming_it() -> None:
    """A state document with a section no backend owns is rejected, naming the section."""
    store = Store()
    create_app(store)
    with pytest.raises(InvalidRequest) as caught:
        store.load({"gadgets": []}, _context("state"))
    assert caught.value.param == "gadgets"
    assert caught.value.code == "unknown_parameter"


def test_a_backend_kind_registers_once() -> None:
    """Registering a second backend of the same kind is a programming error, said at once."""
    store = Store()
    store.register(Widgets(store))
    with pytest.raises(ValueError, match="already registered"):
        store.register(Widgets(store))


# Doors kept for compatibility: one HTTP call that combines several controller actions.
COMPOSITE_DOORS = {"set_clock"}


@pytest.mark.parametrize(
    "endpoint", [e for e in CONTROL_ENDPOINTS if e.name not in COMPOSITE_DOORS], ids=lambda e: e.name
)
def test_every_control_route_is_a_controller_action_with_a_handle_door(endpoint: Any) -> None:
    """Each /__mock__/ route is named for one Controller method, and the handle has the same name."""
    assert callable(getattr(Controller, endpoint.name, None)), endpoint.name
    assert hasattr(Mka1Mock, endpoint.name), endpoint.name


# Controller methods that are not test-side actions: helpers of the doors themselves.
NOT_ACTIONS = {"owner", "check", "summary", "state_view", "load_file", "unconsumed_scripts"}
ALIASES = {"clock_state", "queue_replies", "set_background", "snapshot"}


def test_every_controller_action_has_both_doors() -> None:
    """Every public Controller action is reachable through the handle and over HTTP, same name."""
    actions = {
        name
        for name in vars(Controller)
        if not name.startswith("_") and callable(getattr(Controller, name)) and name not in NOT_ACTIONS | ALIASES
    }
    http = {endpoint.name for endpoint in CONTROL_ENDPOINTS}
    assert actions - http == set(), "actions without an HTTP door"
    assert {name for name in actions if not hasattr(Mka1Mock, name)} == set(), "actions without a handle door"


def test_old_import_paths_of_the_plugin_keep_working() -> None:
    """``mka1_mock.pytest_plugin`` (the old entry point) still exposes the plugin's fixtures and hooks."""
    old = importlib.import_module("mka1_mock.pytest_plugin")
    new = importlib.import_module("mka1_mock.testing.pytest_plugin")
    assert old.__all__ == new.__all__
    assert all(getattr(old, name) is getattr(new, name) for name in new.__all__)
