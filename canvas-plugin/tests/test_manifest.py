"""The manifest, and `canvas validate` on the plugin as a developer would run it."""

import os
import subprocess
import sys
import tomllib
from pathlib import Path

from canvas_sdk.events import EventType

from taskbell_relay.handlers.socket_auth import TaskbellSocket
from taskbell_relay.handlers.task_events import TaskEventRelay
from tests.conftest import PLUGIN_ROOT, load_json

MANIFEST = load_json(PLUGIN_ROOT / "taskbell_relay" / "CANVAS_MANIFEST.json")


def test_canvas_validate_passes() -> None:
    canvas = Path(sys.executable).parent / "canvas"
    result = subprocess.run(
        [str(canvas), "validate", "taskbell_relay"],
        cwd=PLUGIN_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "CANVAS_NO_UPDATE_CHECK": "1"},
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "load cleanly in the sandbox" in result.stdout


def test_plugin_version_sends_payload_version_2() -> None:
    # 1.1.0 is the first release that sends payload version 2 (schema/PAYLOAD.md).
    project = tomllib.loads((PLUGIN_ROOT / "pyproject.toml").read_text())["project"]

    assert MANIFEST["plugin_version"] == "1.1.0"
    assert project["version"] == MANIFEST["plugin_version"]


def test_variables_and_their_sensitivity() -> None:
    variables = {variable["name"]: variable for variable in MANIFEST["variables"]}

    assert set(variables) == {
        "SOCKET_API_KEY",
        "CHANNEL",
        "WEBHOOK_URL",
        "WEBHOOK_SECRET",
        "AUTH_TOKEN",
        "SLACK_WEBHOOK_URL",
        "INCLUDE_PATIENT_DETAILS",
    }
    sensitive = {name for name, variable in variables.items() if variable.get("sensitive")}
    assert sensitive == {"SOCKET_API_KEY", "WEBHOOK_SECRET", "AUTH_TOKEN", "SLACK_WEBHOOK_URL"}
    assert variables["CHANNEL"]["default"] == "taskbell"
    assert variables["INCLUDE_PATIENT_DETAILS"]["default"] == "false"
    assert "secrets" not in MANIFEST, "the deprecated `secrets` list is not used"


def test_handlers_declared() -> None:
    classes = {handler["class"] for handler in MANIFEST["components"]["handlers"]}

    assert classes == {
        "taskbell_relay.handlers.task_events:TaskEventRelay",
        "taskbell_relay.handlers.socket_auth:TaskbellSocket",
    }


def test_readme_exists() -> None:
    readme = PLUGIN_ROOT / "taskbell_relay" / MANIFEST["readme"]

    assert readme.is_file()
    text = readme.read_text()
    for name in ("canvas install", "SOCKET_API_KEY", "whsec_", "/hooks/canvas", "plugin-io/ws"):
        assert name in text


def test_task_handler_responds_to_the_five_events() -> None:
    assert sorted(TaskEventRelay.RESPONDS_TO) == sorted(
        EventType.Name(getattr(EventType, name))
        for name in (
            "TASK_CREATED",
            "TASK_UPDATED",
            "TASK_COMPLETED",
            "TASK_CLOSED",
            "TASK_COMMENT_CREATED",
        )
    )


def test_socket_handler_responds_to_websocket_authentication() -> None:
    assert TaskbellSocket.RESPONDS_TO == [
        EventType.Name(EventType.SIMPLE_API_WEBSOCKET_AUTHENTICATE)
    ]
