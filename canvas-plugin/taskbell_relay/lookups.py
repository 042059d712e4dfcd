"""Finding the task and actor an event is about."""

from uuid import UUID

from canvas_sdk.v1.data import Staff, Task


def as_uuid(value: str | None) -> UUID | None:
    """Event targets are strings; a malformed one must not reach a UUID column lookup."""
    try:
        return UUID(str(value))
    except ValueError:
        return None


def tasks_with_relations():  # unannotated: the sandbox refuses to import QuerySet
    """Tasks with their people joined in one query.

    With the join, a nullable relation whose row is missing from Canvas's read-only
    views reads as None instead of raising when the payload touches it.
    """
    return Task.objects.select_related("creator", "assignee", "team", "patient")


def find_task(task_id: str | None) -> Task | None:
    """The task a TASK_CREATED/UPDATED/COMPLETED/CLOSED event targets."""
    key = as_uuid(task_id)
    if key is None:
        return None
    return tasks_with_relations().filter(id=key).first()


def find_commented_task(comment_id: str | None) -> Task | None:
    """The task a TASK_COMMENT_CREATED event's comment belongs to.

    That event targets the TaskComment, whose `task` foreign key (reverse name
    `comments`) leads back to the task.
    """
    key = as_uuid(comment_id)
    if key is None:
        return None
    return tasks_with_relations().filter(comments__id=key).first()


def find_actor_staff_id(actor_id: str | None) -> str | None:
    """The Staff id (FHIR Practitioner id) of whoever caused the event.

    The SDK treats an event's actor as a CanvasUser database id; a staff key is
    accepted too so the payload stays right if Canvas ever sends that instead.
    Anything that is not a staff member resolves to None.
    """
    if not actor_id:
        return None
    text = str(actor_id)
    if text.isdigit():
        staff = Staff.objects.filter(user__dbid=int(text)).first()
    else:
        staff = Staff.objects.filter(id=text).first()
    return str(staff.id) if staff is not None else None
