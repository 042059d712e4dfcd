"""The shared JSON schema, its examples, and the payloads the plugin really builds."""

import copy
import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from canvas_sdk.test_utils.factories import TaskCommentFactory
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from taskbell_relay.payload import build_payload
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
# Examples of the legacy version 1 shape are named v1-<event>.json; the others are version 2.
LEGACY_EXAMPLES = [path for path in EXAMPLES if path.stem.startswith("v1-")]
CURRENT_EXAMPLES = [path for path in EXAMPLES if not path.stem.startswith("v1-")]
# FHIR Task.lastModified's shape: UTC, six fraction digits, +00:00.
CANVAS_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00")


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

    assert {"created", "updated", "completed", "closed", "commented", "v1-completed"} <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_example_is_valid(path: Path, validator: Draft202012Validator) -> None:
    errors = [error.message for error in validator.iter_errors(load_json(path))]

    assert errors == []


@pytest.mark.parametrize("path", CURRENT_EXAMPLES, ids=lambda path: path.stem)
def test_examples_are_version_2_with_canvas_time(path: Path) -> None:
    example = load_json(path)

    assert example["version"] == 2
    assert CANVAS_TIME.fullmatch(example["task"]["modified"])
    # Canvas changed the task before the plugin handled the event.
    modified = datetime.datetime.fromisoformat(example["task"]["modified"])
    assert modified <= datetime.datetime.fromisoformat(example["occurred_at"])


def test_legacy_version_1_example_is_still_valid(validator: Draft202012Validator) -> None:
    legacy = load_json(SCHEMA_DIR / "examples" / "v1-completed.json")

    assert [path.stem for path in LEGACY_EXAMPLES] == ["v1-completed"]
    assert legacy["version"] == 1
    assert "modified" not in legacy["task"]
    validator.validate(legacy)


def test_legacy_example_is_the_completed_example_without_modified() -> None:
    legacy = load_json(SCHEMA_DIR / "examples" / "v1-completed.json")
    current = load_json(SCHEMA_DIR / "examples" / "completed.json")

    assert legacy["event_id"] != current["event_id"], "two deliveries, two event ids"
    current["task"].pop("modified")
    for payload in (legacy, current):
        payload.pop("version")
        payload.pop("event_id")
    assert legacy == current


def test_version_1_fallback_payload_is_valid(validator: Draft202012Validator) -> None:
    task = full_task()
    task.modified = None

    payload = build_payload(event="updated", task=task, include_patient=True)

    assert payload["version"] == 1
    validator.validate(payload)


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

    payload = broadcast_message(run_relay(event_type, target, secrets))

    assert payload["version"] == 2
    assert CANVAS_TIME.fullmatch(payload["task"]["modified"])
    validator.validate(payload)


def mutated(change: Any, example: str = "created.json") -> dict[str, Any]:
    """An example (by default the full one) with one change applied."""
    payload = copy.deepcopy(load_json(SCHEMA_DIR / "examples" / example))
    change(payload)
    return payload


@pytest.mark.parametrize(
    "change",
    [
        # Version 2 without task.modified.
        lambda p: p["task"].pop("modified"),
        lambda p: p["task"].update(modified=None),
        # task.modified is FHIR lastModified's shape: UTC, microseconds, +00:00.
        lambda p: p["task"].update(modified="2024-01-12T15:04:04+00:00"),
        lambda p: p["task"].update(modified="2024-01-12T15:04:04.981+00:00"),
        lambda p: p["task"].update(modified="2024-01-12T15:04:04.981327Z"),
        lambda p: p["task"].update(modified="2024-01-12T10:04:04.981327-05:00"),
        lambda p: p["task"].update(modified="2024-01-12T15:04:04.981327"),
        lambda p: p["task"].update(modified="2024-01-12"),
        lambda p: p["task"].update(modified="2024-13-12T15:04:04.981327+00:00"),
        # Version 1 never carries task.modified; versions other than 1 and 2 do not exist.
        lambda p: p.update(version=1),
        lambda p: p.update(version=3),
        lambda p: p.update(version="2"),
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


@pytest.mark.parametrize(
    "change",
    [
        # A version 2 payload must carry task.modified.
        lambda p: p.update(version=2),
        lambda p: p["task"].update(modified="2024-01-14T18:22:41.502118+00:00"),
        lambda p: p.update(version=0),
    ],
    ids=["v2-without-modified", "v1-with-modified", "version-0"],
)
def test_schema_rejects_broken_legacy_payloads(
    change: Any, validator: Draft202012Validator
) -> None:
    with pytest.raises(ValidationError):
        validator.validate(mutated(change, "v1-completed.json"))
