"""The pytest plugin's old import path, kept so ``pytest_plugins = ["mka1_mock.pytest_plugin"]`` and
``from mka1_mock.pytest_plugin import *`` keep working. The plugin lives in ``mka1_mock.testing``."""

from .testing.pytest_plugin import *  # noqa: F401,F403 - re-export the plugin's fixtures and hooks
from .testing.pytest_plugin import __all__ as __all__
