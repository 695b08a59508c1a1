"""The one exception raised by the pure input validators in :mod:`resilience.core`."""

from __future__ import annotations

from resilience.core.errors import Message

__all__ = ["InvalidValue", "Message"]


class InvalidValue(ValueError):
    """A value supplied by a user is not acceptable.

    ``message`` is a short English sentence saying what is wrong and how to fix it, a
    :class:`~resilience.core.errors.Message` so pages can word it in their own language;
    ``str(exc) == exc.message``.  ``path`` locates the problem inside a structured value
    (``"coordinates[0][3]"``, ``"lat"``, ``"geometry.coordinates[1]"``) and is ``None`` when
    the value as a whole is wrong.  Callers that report errors per field typically join
    their field name and ``path``, e.g. ``"affected_area.coordinates[0][3]"``.
    """

    def __init__(self, message: str | Message, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return str(self.message)

    def __repr__(self) -> str:
        return f"InvalidValue({self.message!r}, path={self.path!r})"

    def __reduce__(self):  # keep ``path`` across pickling (e.g. Celery results)
        return (type(self), (self.message, self.path))

    def at(self, prefix: str) -> InvalidValue:
        """Return a copy whose ``path`` is nested under ``prefix``."""
        if self.path is None:
            path = prefix
        elif self.path.startswith("["):
            path = prefix + self.path
        else:
            path = f"{prefix}.{self.path}"
        return type(self)(self.message, path)
