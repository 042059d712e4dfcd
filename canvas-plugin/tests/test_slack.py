"""The Slack message: a `text` plus blocks shaped like seed 002's example."""

import json
from typing import Any

import pytest
from canvas_sdk.test_utils.factories import TaskCommentFactory, TeamFactory
from canvas_sdk.v1.data import Task

from tests.conftest import (
    ALL_EVENTS,
    EXPECTED,
    SLACK_URL,
    bare_task,
    full_task,
    http_request,
    run_relay,
)

HEADINGS = {
    "TASK_CREATED": "New Task Created",
    "TASK_UPDATED": "Task Updated",
    "TASK_COMPLETED": "Task Completed",
    "TASK_CLOSED": "Task Closed",
    "TASK_COMMENT_CREATED": "New Comment on Task",
}

SLACK_ONLY = {"SLACK_WEBHOOK_URL": SLACK_URL}


def slack_request(
    event_type: str, task: Task, secrets: dict[str, str] | None = None
) -> dict[str, Any]:
    """The HttpRequestEffect payload posted to Slack for this event."""
    target = task.id
    if event_type == "TASK_COMMENT_CREATED":
        target = TaskCommentFactory.create(task=task).id
    effects = run_relay(event_type, target, secrets or SLACK_ONLY)
    return http_request(effects, SLACK_URL)


def fields_of(message: dict[str, Any]) -> dict[str, str]:
    """The section's fields as {label: value}."""
    section = message["blocks"][1]
    assert section["type"] == "section"
    labelled = {}
    for field in section["fields"]:
        assert field["type"] == "mrkdwn"
        label, value = field["text"].split("\n", 1)
        labelled[label.strip("*:")] = value
    return labelled


@pytest.mark.parametrize("event_type", ALL_EVENTS)
def test_text_and_header_per_event(event_type: str) -> None:
    task = full_task(EXPECTED[event_type][1])

    message = json.loads(slack_request(event_type, task)["data"]["body"])

    header = message["blocks"][0]
    assert header["type"] == "header"
    assert header["text"]["type"] == "plain_text"
    assert header["text"]["text"].endswith(HEADINGS[event_type])
    assert message["text"], "Slack refuses messages without text"
    assert HEADINGS[event_type] in message["text"]
    assert "Follow up with patient" in message["text"]


def test_fields_like_the_seed_example() -> None:
    message = json.loads(slack_request("TASK_CREATED", full_task())["data"]["body"])

    fields = fields_of(message)
    assert list(fields) == ["Title", "Due", "Created by", "Assigned to"]
    assert fields["Title"] == "Follow up with patient"
    assert fields["Due"] == (
        "<!date^1705312800^{date} at {time}|January 15, 2024 at 10:00 AM UTC>"
    )
    assert fields["Created by"] == "Jane Smith"
    assert fields["Assigned to"] == "Nora Johnson (Care Coordination)"


def test_patient_only_when_details_are_allowed() -> None:
    secrets = {**SLACK_ONLY, "INCLUDE_PATIENT_DETAILS": "true"}
    message = json.loads(slack_request("TASK_CREATED", full_task(), secrets)["data"]["body"])

    fields = fields_of(message)
    assert list(fields) == ["Title", "Due", "Patient", "Created by", "Assigned to"]
    assert fields["Patient"] == "John Doe (DOB: 05/15/1980, Male)"


def test_no_patient_by_default() -> None:
    body = slack_request("TASK_CREATED", full_task())["data"]["body"]

    assert "Patient" not in fields_of(json.loads(body))
    assert "Doe" not in body and "1980" not in body and "DOB" not in body


def test_missing_values_are_spelled_out() -> None:
    message = json.loads(slack_request("TASK_COMPLETED", bare_task("COMPLETED"))["data"]["body"])

    fields = fields_of(message)
    assert fields["Due"] == "No due date"
    assert fields["Created by"] == "Unknown"
    assert fields["Assigned to"] == "Unassigned"


def test_team_only_assignee() -> None:
    task = bare_task("CLOSED", team=TeamFactory.create(name="Payment Collection"))

    message = json.loads(slack_request("TASK_CLOSED", task)["data"]["body"])

    assert fields_of(message)["Assigned to"] == "Payment Collection"


def test_title_cannot_inject_mentions_or_links() -> None:
    task = full_task()
    task.title = "<!channel> see <https://evil.example|this> & that"
    task.save()

    message = json.loads(slack_request("TASK_UPDATED", task)["data"]["body"])

    title = fields_of(message)["Title"]
    assert "<" not in title and ">" not in title
    assert title == "&lt;!channel&gt; see &lt;https://evil.example|this&gt; &amp; that"
    assert "<!channel>" not in message["text"]


def test_very_long_title_is_shortened() -> None:
    task = full_task()
    task.title = "x" * 5000
    task.save()

    message = json.loads(slack_request("TASK_UPDATED", task)["data"]["body"])

    assert all(len(field["text"]) <= 2000 for field in message["blocks"][1]["fields"])
    assert len(message["text"]) <= 2000


def test_plain_post_without_receiver_credentials(all_channels: dict[str, str]) -> None:
    request = slack_request("TASK_CREATED", full_task(), all_channels)
    headers = request["data"]["headers"]

    assert request["data"]["method"] == "POST"
    assert headers == {"Content-Type": "application/json"}
    assert 429 in request["data"]["retry_on_status_codes"]
    assert 503 in request["data"]["retry_on_status_codes"]


def test_not_sent_without_slack_url(socket_only: dict[str, str]) -> None:
    effects = run_relay("TASK_CREATED", full_task().id, socket_only)

    assert all(SLACK_URL not in effect.payload for effect in effects)
