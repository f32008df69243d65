"""The person's own account: profile facts and personal API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from pmo.accounts import selectors, services

from ..forms import ApiTokenForm
from .common import attempt, page


@page("GET", "POST")
def account(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    raw_token = None
    if request.method == "POST" and form.is_valid():
        created = attempt(
            request,
            lambda: services.api_token_create(user=request.user, name=form.cleaned_data["name"]),
            form=form,
        )
        if created:
            # Shown in this answer only: the token is stored hashed and cannot be shown again.
            raw_token = created[1]
            form = ApiTokenForm()
    tokens = selectors.api_token_list(user=request.user)
    context = {"form": form, "tokens": tokens, "raw_token": raw_token}
    response = render(request, "web/account/account.html", context)
    response["Cache-Control"] = "no-store"
    return response


@page("POST")
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = attempt(
        request, lambda: services.api_token_revoke(user=request.user, token_id=token_id)
    )
    if token:
        messages.success(request, f"Token '{token.name}' revoked.")
    return redirect("account")
