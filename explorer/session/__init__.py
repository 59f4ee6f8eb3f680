"""The application's state and operations without Qt: see `state.Session`."""

from explorer.session.document import AcceleratorDocument
from explorer.session.events import Event, Events
from explorer.session.operations import Operation, Progress
from explorer.session.state import NeedsInputShapes, Session, make_estimator

__all__ = ["AcceleratorDocument", "Event", "Events", "NeedsInputShapes", "Operation",
           "Progress", "Session", "make_estimator"]
