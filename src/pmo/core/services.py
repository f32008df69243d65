"""Writes every context reuses: versioned updates that never overwrite someone else's change."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F

from .audit import audit_record, changed_fields, snapshot
from .errors import STALE_VERSION, Conflict, NotFound, ValidationFailed
from .models import VersionedModel

M = TypeVar("M", bound=VersionedModel)
R = TypeVar("R", bound=models.Model)

UNKNOWN_FIELDS = "These fields cannot be changed here: {fields}."


def project_row(model: type[R], *, project: Any, pk: Any, missing: str) -> R:
    """The `model` row with this id on this project; NotFound(`missing` with `{id}`) otherwise,
    so a row of another project answers exactly like a missing one."""
    row = model._default_manager.filter(project=project, pk=pk).first() if pk else None
    if row is None:
        raise NotFound(missing.format(id=pk))
    return row


def only_fields(data: Mapping[str, Any], allowed: set[str] | frozenset[str]) -> None:
    """Refuse input naming fields that this write does not change (never silently ignored)."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationFailed(UNKNOWN_FIELDS.format(fields=", ".join(unknown)))


def validation_errors(exc: ValidationError) -> ValidationFailed:
    """A Django ValidationError as our ValidationFailed, keeping the per-field messages."""
    if hasattr(exc, "error_dict"):
        errors = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
        first_field, first = next(iter(errors.items()))
        label = "" if first_field == "__all__" else f"{first_field}: "
        return ValidationFailed(f"{label}{first[0]}", extra={"errors": errors})
    return ValidationFailed("; ".join(exc.messages), extra={"errors": {"__all__": exc.messages}})


def full_clean(obj: models.Model, **kwargs: Any) -> None:
    try:
        obj.full_clean(**kwargs)
    except ValidationError as exc:
        raise validation_errors(exc) from exc


def versioned_update(
    obj: M,
    *,
    actor: Any,
    data: Mapping[str, Any],
    expected_version: int | None,
    project_id: int | None,
    thing: str,
    exclude_from_clean: list[str] | None = None,
) -> M:
    """Apply `data` to `obj` if nobody changed it since `expected_version`; audit the difference.

    The check and the write are one UPDATE ... WHERE version = expected, so two concurrent writers
    cannot both succeed. Call inside a transaction.
    """
    if expected_version is not None and expected_version != obj.version:
        raise Conflict(
            STALE_VERSION.format(thing=thing, expected=expected_version, current=obj.version)
        )
    before = snapshot(obj, data.keys())
    for field, value in data.items():
        setattr(obj, field, value)
    full_clean(obj, exclude=exclude_from_clean)
    after = snapshot(obj, data.keys())
    changes = changed_fields(before, after)
    if not changes:
        return obj
    values = {f: getattr(obj, f) for f in data}
    if any(f.name == "updated_at" for f in obj._meta.fields):
        from django.utils import timezone

        values["updated_at"] = timezone.now()
    updated = (
        type(obj)
        ._default_manager.filter(pk=obj.pk, version=obj.version)
        .update(version=F("version") + 1, **values)
    )
    if updated != 1:
        current = type(obj)._default_manager.filter(pk=obj.pk).values_list("version", flat=True)
        raise Conflict(
            STALE_VERSION.format(
                thing=thing, expected=obj.version, current=current.first() or "deleted"
            )
        )
    obj.version += 1
    audit_record(actor=actor, action="update", obj=obj, changes=changes, project_id=project_id)
    return obj
