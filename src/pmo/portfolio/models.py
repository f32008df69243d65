"""A portfolio groups the projects one body of management governs and funds."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pmo.core.models import VersionedModel


class Portfolio(VersionedModel):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_portfolios",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
