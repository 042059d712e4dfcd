"""Relays Canvas task events to Taskbell (WebSocket, signed webhook) and Slack."""

from canvas_sdk.effects import Effect
from canvas_sdk.events import EventType
from canvas_sdk.handlers.base import BaseHandler
from canvas_sdk.v1.data import Task
from logger import log

from taskbell_relay.delivery import delivery_effects
from taskbell_relay.lookups import find_actor_staff_id, find_commented_task, find_task
from taskbell_relay.payload import EVENT_NAMES, build_payload
from taskbell_relay.variables import include_patient_details

COMMENT_EVENT = "TASK_COMMENT_CREATED"


class TaskEventRelay(BaseHandler):
    """Builds one payload per task event and delivers it on every configured channel."""

    RESPONDS_TO = [
        EventType.Name(EventType.TASK_CREATED),
        EventType.Name(EventType.TASK_UPDATED),
        EventType.Name(EventType.TASK_COMPLETED),
        EventType.Name(EventType.TASK_CLOSED),
        EventType.Name(EventType.TASK_COMMENT_CREATED),
    ]

    def event_name(self) -> str:
        """The SDK event type's name, e.g. "TASK_CREATED"."""
        return EventType.Name(self.event.type)

    def target_task(self) -> Task | None:
        """The task the event is about; comment events target the comment instead."""
        if self.event_name() == COMMENT_EVENT:
            return find_commented_task(self.event.target.id)
        return find_task(self.event.target.id)

    def compute(self) -> list[Effect]:
        """The delivery effects for this event, or none when its task is gone."""
        event_type = self.event_name()
        event = EVENT_NAMES.get(event_type)
        if event is None:
            return []
        task = self.target_task()
        if task is None:
            # Deleted in between, or not visible to plugins: nothing truthful to send.
            # Taskbell reconciles through the FHIR API, so dropping this one is safe.
            log.warning(f"taskbell_relay: no task for {event_type} {self.event.target.id}")
            return []
        payload = build_payload(
            event=event,
            task=task,
            include_patient=include_patient_details(self.secrets),
            actor_id=find_actor_staff_id(self.event.actor.id),
            comment_id=self.event.target.id if event_type == COMMENT_EVENT else None,
        )
        return delivery_effects(payload, self.secrets)
