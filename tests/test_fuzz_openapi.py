"""Spec-driven fuzzing: schemathesis generates requests from the served OpenAPI document and checks
that the mock never answers 5xx, and that every answer's status, content type and body match it.

In-process (ASGI, no socket). Bounded for ``make test`` (a few examples per operation, derandomised);
``make fuzz`` runs far more (``MKA1_FUZZ_EXAMPLES``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.applications import Starlette

from mka1_mock import create_app

AUTH = {"Authorization": "Bearer mk-fuzz"}
EXAMPLES = int(os.environ.get("MKA1_FUZZ_EXAMPLES", "60"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
APP: Starlette = create_app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
control_schema = schemathesis.openapi.from_asgi("/__mock__/openapi.json", APP)
SETTINGS = hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("MKA1_FUZZ_RANDOM") is None,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
)


@pytest.fixture(autouse=True)
def _fresh_mock() -> Iterator[None]:
    """Each operation's examples start from an empty mock, and leave no crash behind."""
    APP.state.control.reset()
    yield
    APP.state.control.check()


@schema.parametrize()
@SETTINGS
def test_api_answers_match_the_document(case: schemathesis.Case) -> None:
    """Any request the document allows (and many it does not) gets a documented 2xx/4xx, never a 5xx."""
    case.call_and_validate(headers=AUTH, checks=CHECKS)


@control_schema.parametrize()
@SETTINGS
def test_control_plane_answers_match_its_document(case: schemathesis.Case) -> None:
    """The control plane holds to its own document too."""
    case.call_and_validate(checks=CHECKS)


class _Authorised(schema.as_state_machine()):  # type: ignore[misc]
    """Schemathesis' state machine over the document's links, calling with a key, checking as above."""

    def call(self, case: schemathesis.Case, **kwargs: Any) -> schemathesis.Response:
        return case.call(headers=AUTH, **kwargs)

    def validate_response(self, response: schemathesis.Response, case: schemathesis.Case, **kwargs: Any) -> None:
        case.validate_response(response, checks=CHECKS)


def test_stateful_links_create_then_use() -> None:
    """Sequences that follow the links (conversation id into items, response id into its routes) hold up."""
    APP.state.control.reset()
    _Authorised.run(
        settings=hypothesis.settings(SETTINGS, max_examples=max(2, EXAMPLES // 3), stateful_step_count=6)
    )
    APP.state.control.check()
