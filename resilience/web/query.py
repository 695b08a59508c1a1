"""A page's query string: only the names its view declares, and values it can read.

Every GET page of the web blueprint refuses a query parameter it does not know (a typo such as
``?staus=open`` would otherwise show the unfiltered list as if it were the filtered one) and a
value it cannot read (``?priority=9``), with a 422 page naming each parameter, its value and what is wrong,
the way the API answers problem+json. ``lang`` is accepted everywhere (the language switch).

A view declares its names with :func:`accepts`; its filters read values with :class:`Query`::

    @bp.get("/alerts")
    @write_required
    @accepts("state", "kind", "event", "page")
    def alerts():
        q = Query()
        state = q.choice("state", ALERT_STATES, "open")
        ...
        q.done()   # raises FormErrors (422) if anything was refused
"""

from __future__ import annotations

from typing import Callable, Iterable

from flask import current_app, request

from resilience.core.bounds import MAX_INT, NUL
from resilience.core.errors import Message
from resilience.web.forms import FormErrors

class QueryErrors(FormErrors):
    """Query parameters a page refused: shown as the address's parameters, not as form fields."""


ALWAYS = frozenset({"lang"})
STATIC = frozenset({"v"})  # the assets' cache-busting content hash


def accepts(*names: str, checked_by_view: bool = False) -> Callable:
    """Declare the query parameters a view reads (``lang`` is always accepted). A view that
    refuses unknown parameters itself, beside its filters (the task board, the inbox, the
    log), says ``checked_by_view=True``."""
    def mark(view):
        view.query_names = None if checked_by_view else frozenset(names)
        return view
    return mark


def refuse_unknown(languages: Iterable[str]) -> None:
    """``before_request``: a GET or HEAD of a page with a parameter its view does not declare is a
    422 naming the parameter (forms' POSTs read their body, not the query string); so is a
    language the pages do not speak."""
    if request.method not in ("GET", "HEAD") or not request.args:
        return
    errors = []
    if "lang" in request.args and request.args["lang"] not in languages:
        errors.append({"field": "lang", "message": Message("Must be one of: %(choices)s.",
                                                           choices=", ".join(languages))})
    view = current_app.view_functions.get(request.endpoint or "")
    allowed = STATIC if request.endpoint == "web.static" else getattr(view, "query_names", frozenset())
    if allowed is None:
        allowed = frozenset(request.args)  # the view names what it does not know itself
    errors += [{"field": name, "message": Message("Unknown field.")}
               for name in sorted(set(request.args) - allowed - ALWAYS)]
    if errors:
        raise QueryErrors(errors)


class Query:
    """Reads a page's filters from the query string, collecting what it must refuse. An empty
    value is the same as an absent one (a filter set to "all")."""

    def __init__(self) -> None:
        self.errors: list[dict] = []

    def _raw(self, name: str) -> str:
        return (request.args.get(name) or "").strip()

    def _refuse(self, name: str, message: Message) -> None:
        self.errors.append({"field": name, "message": message})

    def choice(self, name: str, choices: Iterable[str], default: str | None = None) -> str | None:
        raw, choices = self._raw(name), tuple(choices)
        if not raw:
            return default
        if raw in choices:
            return raw
        self._refuse(name, Message("Must be one of: %(choices)s.", choices=", ".join(choices)))
        return default

    def integer(self, name: str, default: int | None = None, minimum: int = 1,
                maximum: int = MAX_INT) -> int | None:
        raw = self._raw(name)
        if not raw:
            return default
        if not (raw.isascii() and raw.lstrip("-").isdigit()) or len(raw) > 12:
            self._refuse(name, Message("Not a valid integer."))
            return default
        value = int(raw)
        if not minimum <= value <= maximum:
            self._refuse(name, Message("Must be greater than or equal to %(min)s and less than or equal to %(max)s.",
                                       min=minimum, max=maximum))
            return default
        return value

    def text(self, name: str, max_length: int = 200) -> str:
        raw = self._raw(name)
        if len(raw) > max_length:
            self._refuse(name, Message("Longer than maximum length %(max)s.", max=max_length))
            return ""
        if "\x00" in raw:
            self._refuse(name, NUL)
            return ""
        return raw

    def flag(self, name: str) -> bool:
        """A checkbox: ``1`` (checked) or absent."""
        return self.choice(name, ("1", "0"), "0") == "1"

    def page(self) -> int:
        return self.integer("page", 1, minimum=1)

    def done(self) -> None:
        """Raise :class:`QueryErrors` (a 422 page) if any value was refused."""
        if self.errors:
            raise QueryErrors(self.errors)
