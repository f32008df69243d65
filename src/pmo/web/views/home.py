"""Landing pages: my work, the portfolio overview and the PMO desk."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from pmo.portfolio.selectors import portfolio_summary
from pmo.projects import selectors

from .common import page


@page("GET")
def home(request: HttpRequest) -> HttpResponse:
    return redirect("my_work")


@page("GET")
def my_work(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home/my_work.html", selectors.my_work(actor=request.user))


@page("GET")
def portfolio(request: HttpRequest) -> HttpResponse:
    groups = portfolio_summary(actor=request.user)
    return render(request, "web/home/portfolio.html", {"groups": groups})


@page("GET")
def pmo_home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home/pmo.html", selectors.pmo_desk(actor=request.user))
