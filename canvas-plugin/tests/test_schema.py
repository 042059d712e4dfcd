"""The shared JSON schema, its examples, and the payloads the plugin really builds."""

import copy
from pathlib import Path
from typing import Any

import pytest
from canvas_sdk.test_utils.factories import TaskCommentFactory
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from tests.conftest import (
    ALL_EVENTS,
    EXPECTED,
    SCHEMA_DIR,
    bare_task,
    broadcast_message,
    full_task,
    load_json,
    run_relay,
)

EXAMPLES = sorted((SCHEMA_DIR / "examples").glob("*.json"))


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    """A draft 2020-12 validator that also checks formats."""
    schema = load_json(SCHEMA_DIR / "task-event.schema.json")
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def test_schema_declares_draft_2020_12() -> None:
    schema = load_json(SCHEMA_DIR / "task-event.schema.json")

    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_required_examples_exist() -> None:
    names = {path.stem for path in EXAMPLES}

    assert {"created", "updated", "completed", "closed", "commented"} <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_example_is_valid(path: Path, validator: Draft202012Validator) -> None:
    validator.validate(load_json(path))


def test_examples_cover_the_awkward_cases() -> None:
    created = load_json(SCHEMA_DIR / "examples" / "created.json")
    completed = load_json(SCHEMA_DIR / "examples" / "completed.json")
    closed = load_json(SCHEMA_DIR / "examples" / "closed.json")
    commented = load_json(SCHEMA_DIR / "examples" / "commented.json")

    assert created["patient"] and created["task"]["due"] and created["assignee"]["team"]
    assert "patient" not in completed
    assert completed["task"]["due"] is None and completed["creator"] is None
    assert completed["assignee"] == {"staff": None, "team": None}
    assert closed["assignee"]["staff"] is None and closed["assignee"]["team"]
    assert commented["comment"]["id"]


@pytest.mark.parametrize("event_type", ALL_EVENTS)
@pytest.mark.parametrize("details", ["true", "false"])
@pytest.mark.parametrize("make_task", [full_task, bare_task], ids=["full", "bare"])
def test_plugin_payloads_are_valid(
    event_type: str,
    details: str,
    make_task: Any,
    validator: Draft202012Validator,
) -> None:
    task = make_task(EXPECTED[event_type][1])
    target = task.id
    if event_type == "TASK_COMMENT_CREATED":
        target = TaskCommentFactory.create(task=task).id
    secrets = {"SOCKET_API_KEY": "k", "INCLUDE_PATIENT_DETAILS": details}

    validator.validate(broadcast_message(run_relay(event_type, target, secrets)))


def mutated(change: Any) -> dict[str, Any]:
    """The full example with one change applied."""
    payload = copy.deepcopy(load_json(SCHEMA_DIR / "examples" / "created.json"))
    change(payload)
    return payload


@pytest.mark.parametrize(
    "change",
    [
        lambda p: p.update(version=2),
        lambda p: p.update(event="deleted"),
        lambda p: p.update(event_id="not-a-uuid"),
        lambda p: p.update(occurred_at="2024-01-12T15:04:05"),
        lambda p: p["task"].update(due="2024-01-15"),
        lambda p: p["task"].update(status="requested"),
        lambda p: p["task"].pop("labels"),
        lambda p: p.pop("creator"),
        lambda p: p["assignee"].pop("team"),
        lambda p: p.update(comment={"id": "8e4d2c1b-0a9f-4e8d-b7c6-5a4b3c2d1e0f"}),
        lambda p: p.update(event="commented"),
        lambda p: p["patient"].pop("birth_date"),
        lambda p: p.update(unexpected=True),
    ],
)
def test_schema_rejects_broken_payloads(change: Any, validator: Draft202012Validator) -> None:
    with pytest.raises(ValidationError):
        validator.validate(mutated(change))
