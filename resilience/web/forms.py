"""Turning form posts into the API's schema input, and errors into messages for the page."""

from __future__ import annotations

import marshmallow as ma

from resilience.core.errors import DomainError, Message, flatten_messages


def load(schema: ma.Schema, data: dict) -> dict:
    """Validate with the same schema as the API; raise FormErrors listing each bad field."""
    try:
        return schema.load(data)
    except ma.ValidationError as exc:
        raise FormErrors(flatten_messages(exc.messages)) from exc


class FormErrors(Exception):
    def __init__(self, errors: list[dict]):
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors

    @classmethod
    def from_domain(cls, error: DomainError) -> "FormErrors":
        return cls(error.errors or [{"field": "", "message": error.detail}])


def blank_to_none(form, names) -> dict:
    """Text inputs: a blank optional field is absent, not an empty string."""
    out = {}
    for name in names:
        value = (form.get(name) or "").strip()
        if value:
            out[name] = value
    return out


def integers(form, names, errors: list[dict]) -> dict:
    out = {}
    for name in names:
        value = (form.get(name) or "").strip()
        if not value:
            continue
        try:
            out[name] = int(value)
        except ValueError:
            errors.append({"field": name, "message": Message("Not a valid integer.")})
    return out


def number(form, name: str, errors: list[dict]) -> float | None:
    value = (form.get(name) or "").strip().replace(",", ".")
    if not value:
        errors.append({"field": name, "message": Message("Missing data for required field.")})
        return None
    try:
        return float(value)
    except ValueError:
        errors.append({"field": name, "message": Message("Not a valid number.")})
        return None
