"""Background work of the portfolio: generating executive packs."""

from __future__ import annotations

from django_tasks import task

from .reports import pack_generate


@task()
def report_pack_generate(*, pack_id: int) -> str:
    return pack_generate(pack_id)
