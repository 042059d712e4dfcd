"""Plugin variables (CANVAS_MANIFEST.json `variables`), read one way everywhere."""

from typing import Any

DEFAULT_CHANNEL = "taskbell"

TRUTHY_VALUES = ("true", "1", "yes")


def variable(secrets: dict[str, Any] | None, name: str) -> str:
    """The variable's value, or "" when it is unset.

    Values are pasted into a settings page by hand, so stray whitespace around a key or
    URL is far more likely to be a mistake than part of the value.
    """
    value = (secrets or {}).get(name)
    if not isinstance(value, str):
        return ""
    return value.strip()


def flag(secrets: dict[str, Any] | None, name: str) -> bool:
    """Whether a yes/no variable is on; anything but true/1/yes means off."""
    return variable(secrets, name).lower() in TRUTHY_VALUES


def channel_name(secrets: dict[str, Any] | None) -> str:
    """The WebSocket channel the relay broadcasts on and accepts connections for."""
    return variable(secrets, "CHANNEL") or DEFAULT_CHANNEL


def include_patient_details(secrets: dict[str, Any] | None) -> bool:
    """Patient details are PHI leaving Canvas, so they are only sent when asked for."""
    return flag(secrets, "INCLUDE_PATIENT_DETAILS")
