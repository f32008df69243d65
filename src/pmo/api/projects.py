"""Projects and what hangs off them: members, charter, stakeholders, documents, audit.

Each operation translates: it parses, calls one service or selector (after the `access_project`
gatekeeper where a project is involved) and shapes the answer. Rules live in the services.
"""

from collections.abc import Callable
from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile
from ninja.pagination import paginate

from pmo.core.errors import NotFound
from pmo.projects import selectors, services
from pmo.projects.policies import access_project

from .pagination import Pagination
from .schemas import (
    AuditEntryOut,
    CharterActionIn,
    CharterCompareOut,
    CharterDecisionIn,
    CharterOut,
    CharterPatch,
    CharterReviseIn,
    CharterSummaryOut,
    DocumentFileOut,
    DocumentOut,
    FormText,
    MemberIn,
    MemberOut,
    PathId,
    ProjectFilters,
    ProjectIn,
    ProjectOut,
    ProjectPatch,
    QueryId,
    StageAdvanceIn,
    StakeholderIn,
    StakeholderOut,
    StakeholderPatch,
    patch_data,
    problems,
)

FILE_MISSING = "The file of document {id} is missing from storage; ask an administrator."

router = Router(tags=["projects"])


def _project(request: HttpRequest, project_id: int) -> Any:
    return access_project(request.auth, project_id)


def _list_under_project(
    path: str, out: Any, selector: Callable[..., Any], operation_id: str, tag: str
) -> None:
    """A paginated list of one kind of row of a project: the same gatekeeper, then a selector."""

    @router.get(
        "/{project_id}/" + path,
        response={200: list[out], **problems(404, 422)},
        operation_id=operation_id,
        summary=operation_id.replace("_", " ").capitalize(),
        tags=[tag],
    )
    @paginate(Pagination)
    def rows(request: HttpRequest, project_id: PathId) -> Any:
        return selector(actor=request.auth, project=_project(request, project_id))


_list_under_project("members", MemberOut, selectors.member_list, "member_list", "members")
_list_under_project(
    "charter/versions",
    CharterSummaryOut,
    selectors.charter_versions,
    "charter_version_list",
    "charter",
)
_list_under_project(
    "stakeholders", StakeholderOut, selectors.stakeholder_list, "stakeholder_list", "stakeholders"
)
_list_under_project("documents", DocumentOut, selectors.document_list, "document_list", "documents")
_list_under_project("audit", AuditEntryOut, selectors.audit_for_project, "audit_list", "audit")


# --- projects -----------------------------------------------------------------------------------


@router.get("", response={200: list[ProjectOut], **problems(422)}, operation_id="project_list")
@paginate(Pagination)
def project_list(request: HttpRequest, filters: Query[ProjectFilters]) -> Any:
    return selectors.project_list(
        actor=request.auth,
        search=filters.search,
        stage=filters.stage or "",
        status=filters.status or "",
        health=filters.health or "",
        portfolio_id=filters.portfolio,
        project_type=filters.project_type or "",
    )


@router.post("", response={201: ProjectOut, **problems(403, 422)}, operation_id="project_create")
def project_create(request: HttpRequest, payload: ProjectIn) -> Any:
    return 201, services.project_create(actor=request.auth, **payload.model_dump())


@router.get(
    "/{project_id}", response={200: ProjectOut, **problems(404)}, operation_id="project_get"
)
def project_get(request: HttpRequest, project_id: PathId) -> Any:
    return _project(request, project_id)


@router.patch(
    "/{project_id}",
    response={200: ProjectOut, **problems(403, 404, 409, 422)},
    operation_id="project_update",
)
def project_update(request: HttpRequest, project_id: PathId, payload: ProjectPatch) -> Any:
    return services.project_update(
        actor=request.auth,
        project_id=project_id,
        version=payload.version,
        data=patch_data(payload),
    )


@router.post(
    "/{project_id}/stage",
    response={200: ProjectOut, **problems(403, 404, 409, 422)},
    operation_id="project_stage_advance",
)
def project_stage_advance(request: HttpRequest, project_id: PathId, payload: StageAdvanceIn) -> Any:
    return services.project_stage_advance(
        actor=request.auth,
        project_id=project_id,
        to_stage=payload.to_stage,
        version=payload.version,
        override_reason=payload.override_reason,
    )


# --- members ------------------------------------------------------------------------------------


@router.post(
    "/{project_id}/members",
    response={201: MemberOut, **problems(403, 404, 422)},
    operation_id="member_add",
    tags=["members"],
)
def member_add(request: HttpRequest, project_id: PathId, payload: MemberIn) -> Any:
    return 201, services.member_add(
        actor=request.auth,
        project_id=project_id,
        user_id=payload.user_id,
        role=payload.role,
    )


@router.delete(
    "/{project_id}/members/{user_id}",
    response={204: None, **problems(403, 404, 409)},
    operation_id="member_remove",
    tags=["members"],
)
def member_remove(request: HttpRequest, project_id: PathId, user_id: PathId) -> Any:
    services.member_remove(actor=request.auth, project_id=project_id, user_id=user_id)
    return 204, None


# --- charter ------------------------------------------------------------------------------------


@router.get(
    "/{project_id}/charter",
    response={200: CharterOut, **problems(404)},
    operation_id="charter_get",
    tags=["charter"],
)
def charter_get(request: HttpRequest, project_id: PathId) -> Any:
    return selectors.charter_get(actor=request.auth, project=_project(request, project_id))


@router.patch(
    "/{project_id}/charter",
    response={200: CharterOut, **problems(403, 404, 409, 422)},
    operation_id="charter_update",
    tags=["charter"],
)
def charter_update(request: HttpRequest, project_id: PathId, payload: CharterPatch) -> Any:
    return services.charter_update(
        actor=request.auth,
        project_id=project_id,
        version=payload.version,
        data=patch_data(payload),
    )


@router.get(
    "/{project_id}/charter/versions/{number}",
    response={200: CharterOut, **problems(404)},
    operation_id="charter_version_get",
    tags=["charter"],
)
def charter_version_get(request: HttpRequest, project_id: PathId, number: PathId) -> Any:
    return selectors.charter_get(
        actor=request.auth,
        project=_project(request, project_id),
        number=number,
    )


@router.get(
    "/{project_id}/charter/compare",
    response={200: CharterCompareOut, **problems(404, 422)},
    operation_id="charter_compare",
    tags=["charter"],
)
def charter_compare(request: HttpRequest, project_id: PathId, a: QueryId, b: QueryId) -> Any:
    _, _, changes = selectors.charter_compare_versions(
        actor=request.auth,
        project=_project(request, project_id),
        a=a,
        b=b,
    )
    return {"a": a, "b": b, "changes": changes}


@router.post(
    "/{project_id}/charter/submit",
    response={200: CharterOut, **problems(403, 404, 409, 422)},
    operation_id="charter_submit",
    tags=["charter"],
)
def charter_submit(
    request: HttpRequest, project_id: PathId, payload: CharterActionIn | None = None
) -> Any:
    return services.charter_submit(
        actor=request.auth,
        project_id=project_id,
        version=payload.version if payload else None,
    )


@router.post(
    "/{project_id}/charter/decision",
    response={200: CharterOut, **problems(403, 404, 409, 422)},
    operation_id="charter_decide",
    tags=["charter"],
)
def charter_decide(request: HttpRequest, project_id: PathId, payload: CharterDecisionIn) -> Any:
    return services.charter_decide(
        actor=request.auth,
        project_id=project_id,
        version=payload.version,
        decision=payload.decision,
        comment=payload.comment,
    )


@router.post(
    "/{project_id}/charter/revise",
    response={201: CharterOut, **problems(403, 404, 409, 422)},
    operation_id="charter_revise",
    tags=["charter"],
)
def charter_revise(
    request: HttpRequest, project_id: PathId, payload: CharterReviseIn | None = None
) -> Any:
    return 201, services.charter_revise(
        actor=request.auth,
        project_id=project_id,
        change_summary=payload.change_summary if payload else "",
    )


# --- stakeholders -------------------------------------------------------------------------------


@router.post(
    "/{project_id}/stakeholders",
    response={201: StakeholderOut, **problems(403, 404, 422)},
    operation_id="stakeholder_create",
    tags=["stakeholders"],
)
def stakeholder_create(request: HttpRequest, project_id: PathId, payload: StakeholderIn) -> Any:
    return 201, services.stakeholder_create(
        actor=request.auth,
        project_id=project_id,
        data=payload.model_dump(),
    )


@router.get(
    "/{project_id}/stakeholders/{stakeholder_id}",
    response={200: StakeholderOut, **problems(404)},
    operation_id="stakeholder_get",
    tags=["stakeholders"],
)
def stakeholder_get(request: HttpRequest, project_id: PathId, stakeholder_id: PathId) -> Any:
    return selectors.stakeholder_get(
        actor=request.auth,
        project=_project(request, project_id),
        stakeholder_id=stakeholder_id,
    )


@router.patch(
    "/{project_id}/stakeholders/{stakeholder_id}",
    response={200: StakeholderOut, **problems(403, 404, 409, 422)},
    operation_id="stakeholder_update",
    tags=["stakeholders"],
)
def stakeholder_update(
    request: HttpRequest, project_id: PathId, stakeholder_id: PathId, payload: StakeholderPatch
) -> Any:
    return services.stakeholder_update(
        actor=request.auth,
        project_id=project_id,
        stakeholder_id=stakeholder_id,
        version=payload.version,
        data=patch_data(payload),
    )


@router.delete(
    "/{project_id}/stakeholders/{stakeholder_id}",
    response={204: None, **problems(403, 404)},
    operation_id="stakeholder_delete",
    tags=["stakeholders"],
)
def stakeholder_delete(request: HttpRequest, project_id: PathId, stakeholder_id: PathId) -> Any:
    services.stakeholder_delete(
        actor=request.auth,
        project_id=project_id,
        stakeholder_id=stakeholder_id,
    )
    return 204, None


# --- documents ----------------------------------------------------------------------------------


@router.post(
    "/{project_id}/documents",
    response={201: DocumentFileOut, **problems(403, 404, 422)},
    operation_id="document_upload",
    tags=["documents"],
)
def document_upload(
    request: HttpRequest,
    project_id: PathId,
    file: File[UploadedFile],
    title: FormText = "",
    description: FormText = "",
    shared_with_client: Form[bool] = False,
    comment: FormText = "",
) -> Any:
    return 201, services.document_upload(
        actor=request.auth,
        project_id=project_id,
        upload=file,
        title=title,
        description=description,
        shared_with_client=shared_with_client,
        comment=comment,
    )


@router.post(
    "/{project_id}/documents/{document_id}/versions",
    response={201: DocumentFileOut, **problems(403, 404, 422)},
    operation_id="document_version_upload",
    tags=["documents"],
)
def document_version_upload(
    request: HttpRequest,
    project_id: PathId,
    document_id: PathId,
    file: File[UploadedFile],
    comment: FormText = "",
) -> Any:
    return 201, services.document_upload(
        actor=request.auth,
        project_id=project_id,
        upload=file,
        document_id=document_id,
        comment=comment,
    )


@router.get(
    "/{project_id}/documents/{document_id}/download",
    response=problems(404, 422),
    operation_id="document_download",
    tags=["documents"],
    openapi_extra={
        "responses": {
            200: {
                "description": "The file of the latest version, or of `?version=N`.",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def document_download(
    request: HttpRequest,
    project_id: PathId,
    document_id: PathId,
    version: QueryId | None = None,
) -> Any:
    stored = selectors.document_file_get(
        actor=request.auth,
        project=_project(request, project_id),
        document_id=document_id,
        number=version,
    )
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError:
        raise NotFound(FILE_MISSING.format(id=document_id)) from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=stored.original_name,
        content_type=stored.content_type,
    )


@router.delete(
    "/{project_id}/documents/{document_id}",
    response={204: None, **problems(403, 404)},
    operation_id="document_delete",
    tags=["documents"],
)
def document_delete(request: HttpRequest, project_id: PathId, document_id: PathId) -> Any:
    services.document_delete(
        actor=request.auth,
        project_id=project_id,
        document_id=document_id,
    )
    return 204, None


# --- audit --------------------------------------------------------------------------------------
