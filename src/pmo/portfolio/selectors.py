"""Reads on portfolios."""

from django.db.models import QuerySet

from .models import Portfolio


def portfolio_list() -> QuerySet[Portfolio]:
    return Portfolio.objects.all()
