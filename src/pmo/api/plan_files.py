"""MS Project files (MSPDI XML) over the API: preview an import with its fidelity report, import
into an empty plan, export any plan.

The planning services read the file, check who may do what and write in one transaction; these
operations only move bytes in and out.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from ninja import File, Router, Schema
from ninja.files import UploadedFile

from pmo.planning import services
from pmo.planning.exchange import ImportPreview

from .planning_schemas import ScheduleOut
from .schemas import PathId, problems

router = Router(tags=["schedule"])

MSPDI = "/projects/{project_id}/plan/mspdi"
XML = "application/xml"


class MspdiCalendarOut(Schema):
    name: str
    working_weekdays: list[int]
    hours_per_day: int
    exceptions: int


class MspdiPreviewOut(Schema):
    """What an import of the file would create, and what it would adjust or leave out and why."""

    name: str
    start: dt.date
    tasks: int
    summary_tasks: int
    milestones: int
    links: int
    baselines: list[int]
    calendar: MspdiCalendarOut
    imported: list[str]
    adjusted: list[str]
    ignored: list[str]


def preview_out(preview: ImportPreview) -> dict[str, Any]:
    calendar = preview.calendar
    return {
        "name": preview.name,
        "start": preview.start,
        **preview.counts,
        "baselines": sorted(preview.baselines),
        "calendar": {
            "name": calendar.name,
            "working_weekdays": calendar.working_weekdays,
            "hours_per_day": calendar.hours_per_day,
            "exceptions": len(calendar.exceptions),
        },
        "imported": preview.imported,
        "adjusted": preview.adjusted,
        "ignored": preview.ignored,
    }


@router.post(
    MSPDI + "/preview",
    response={200: MspdiPreviewOut, **problems(403, 404, 422)},
    operation_id="plan_mspdi_preview",
)
def plan_mspdi_preview(request: HttpRequest, project_id: PathId, file: File[UploadedFile]) -> Any:
    preview = services.plan_import_preview(
        actor=request.auth, project_id=project_id, data=file.read(), filename=file.name or ""
    )
    return preview_out(preview)


@router.post(
    MSPDI,
    response={201: ScheduleOut, **problems(403, 404, 422)},
    operation_id="plan_mspdi_import",
)
def plan_mspdi_import(request: HttpRequest, project_id: PathId, file: File[UploadedFile]) -> Any:
    return 201, services.plan_import_mspdi(
        actor=request.auth, project_id=project_id, data=file.read(), filename=file.name or ""
    )


@router.get(
    MSPDI,
    response=problems(404),
    operation_id="plan_mspdi_export",
    openapi_extra={
        "responses": {
            200: {
                "description": "The plan as MS Project XML, named after the project's code.",
                "content": {XML: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def plan_mspdi_export(request: HttpRequest, project_id: PathId) -> HttpResponse:
    filename, data = services.plan_export_mspdi(actor=request.auth, project_id=project_id)
    disposition = content_disposition_header(as_attachment=True, filename=filename)
    return HttpResponse(data, content_type=XML, headers={"Content-Disposition": disposition})
