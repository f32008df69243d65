"""The archive bundle of a closed project: one zip with the JSON of every record, a CSV table
per kind of record, the documents (every version) and the final report PDF."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from pmo.core.models import AuditEntry
from pmo.projects.models import DocumentFile, Project

# records that belong to the organisation rather than to the project, or hold secrets
SKIPPED_APPS = {"auth", "contenttypes", "sessions", "admin", "accounts", "django_tasks_database"}


def _foreign_keys(model: type[models.Model], target: type[models.Model]) -> list[str]:
    return [
        f.name
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model is target and (f.many_to_one or f.one_to_one)
    ]


def _collect(project: Project) -> Iterator[tuple[str, models.QuerySet[Any]]]:
    """(label, rows) of the project, of every record pointing at it, and of the records
    pointing at those (tasks' assignments, a timesheet's lines …)."""
    yield Project._meta.label_lower, Project.objects.filter(pk=project.pk)
    first: list[tuple[type[models.Model], models.QuerySet[Any]]] = []
    candidates = [m for m in apps.get_models() if m._meta.app_label not in SKIPPED_APPS]
    for model in candidates:
        names = _foreign_keys(model, Project)
        if names:
            query = models.Q()
            for name in names:
                query |= models.Q(**{name: project})
            first.append((model, model._default_manager.filter(query).order_by("pk")))
    seen = {model for model, _ in first} | {Project}
    for model, qs in first:
        yield model._meta.label_lower, qs
    for model in candidates:
        if model in seen:
            continue
        query = models.Q()
        for parent, parent_qs in first:
            for name in _foreign_keys(model, parent):
                query |= models.Q(**{f"{name}__in": parent_qs.values("pk")})
        if query:
            yield model._meta.label_lower, model._default_manager.filter(query).order_by("pk")
    audit = AuditEntry.objects.filter(project_id=project.pk).order_by("pk")
    yield AuditEntry._meta.label_lower, audit


def _plain(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    return value


def _csv(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    columns = ["id", *sorted({k for row in rows for k in row["fields"]})]
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        fields = row["fields"]
        writer.writerow([row["pk"], *(_plain(fields.get(c)) for c in columns[1:])])
    return out.getvalue().encode()


def bundle(project: Project, *, actor: Any) -> tuple[bytes, int]:
    """The zip's bytes and the number of records in it."""
    from .reports import final_report_pdf

    records: dict[str, list[dict[str, Any]]] = {}
    for label, qs in _collect(project):
        rows = serializers.serialize("python", qs)
        if rows:
            records.setdefault(label, []).extend(
                {"pk": r["pk"], "fields": r["fields"]} for r in rows
            )
    count = sum(len(rows) for rows in records.values())
    buffer = io.BytesIO()
    manifest: list[tuple[str, str]] = []

    def put(name: str, data: bytes) -> None:
        archive.writestr(name, data)
        manifest.append((name, hashlib.sha256(data).hexdigest()))

    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        put(
            "records.json",
            json.dumps(
                {
                    "project": project.code,
                    "exported_at": timezone.now().isoformat(),
                    "records": records,
                },
                cls=DjangoJSONEncoder,
                ensure_ascii=False,
                indent=1,
            ).encode(),
        )
        for label, rows in sorted(records.items()):
            put(f"tables/{label}.csv", _csv(rows))
        files = DocumentFile.objects.filter(document__project=project).select_related("document")
        for stored in files.order_by("document__title", "number"):
            with stored.file.open("rb") as handle:
                put(
                    f"documents/{stored.document_id}-{stored.document.title[:60]}/"
                    f"v{stored.number}-{stored.original_name}",
                    handle.read(),
                )
        put("final-report.pdf", final_report_pdf(project, actor=actor))
        archive.writestr(
            "MANIFEST.txt",
            "".join(f"{digest}  {name}\n" for name, digest in manifest),
        )
    return buffer.getvalue(), count
