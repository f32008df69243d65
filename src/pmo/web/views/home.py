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
    from .execution import my_work_context

    context = {**selectors.my_work(actor=request.user), **my_work_context(request)}
    return render(request, "web/home/my_work.html", context)


@page("GET")
def portfolio(request: HttpRequest) -> HttpResponse:
    """The Portfolio area's overview: requests by state, projects by portfolio."""
    from pmo.portfolio.policies import may_draft, may_read_portfolio
    from pmo.portfolio.selectors import intake_counts

    context = {
        "groups": portfolio_summary(actor=request.user),
        "counts": intake_counts(actor=request.user),
        "tab": "overview",
        "may_draft": may_draft(request.user),
        "may_read_portfolio": may_read_portfolio(request.user),
    }
    return render(request, "web/home/portfolio.html", context)


@page("GET")
def pmo_home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home/pmo.html", selectors.pmo_desk(actor=request.user))
