"""The person calling the API and their personal API tokens."""

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from pmo.accounts import selectors, services

from .pagination import Pagination
from .schemas import ApiTokenCreated, ApiTokenIn, ApiTokenOut, MeOut, PathId, problems

router = Router(tags=["accounts"])


@router.get("/me", response={200: MeOut, **problems()}, operation_id="me_get")
def me_get(request: HttpRequest) -> Any:
    return request.auth


@router.get(
    "/tokens", response={200: list[ApiTokenOut], **problems(422)}, operation_id="token_list"
)
@paginate(Pagination)
def token_list(request: HttpRequest) -> Any:
    return selectors.api_token_list(user=request.auth)


@router.post(
    "/tokens", response={201: ApiTokenCreated, **problems(422)}, operation_id="token_create"
)
def token_create(request: HttpRequest, payload: ApiTokenIn) -> Any:
    token, raw = services.api_token_create(user=request.auth, name=payload.name)
    return 201, {**ApiTokenOut.from_orm(token).model_dump(), "token": raw}


@router.delete(
    "/tokens/{token_id}", response={204: None, **problems(404)}, operation_id="token_revoke"
)
def token_revoke(request: HttpRequest, token_id: PathId) -> Any:
    services.api_token_revoke(user=request.auth, token_id=token_id)
    return 204, None
