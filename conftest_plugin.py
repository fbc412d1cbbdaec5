"""For suites that prefer ``pytest_plugins = ["conftest_plugin"]`` to the installed entry point.

Do not combine the two: with mka1-mock installed, the plugin is already registered.
"""

from mka1_mock.testing.pytest_plugin import *  # noqa: F401,F403 - re-export the plugin's fixtures and hooks
