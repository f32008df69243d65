"""Values every page needs: the navigation and who is looking."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

NAVIGATION = [
    ("Portfolio", "portfolio"),
    ("Projects", "project_list"),
    ("My work", "my_work"),
    ("Resources", "resource_usage"),
    ("Vendors", "vendor_list"),
    ("Governance", "governance_home"),
    ("Reports", "status_report_overview"),
    ("PMO", "pmo_home"),
]

# internal pages an external client has no use for
CLIENT_HIDDEN = {"vendor_list", "status_report_overview", "governance_home"}


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    items = NAVIGATION
    if getattr(user, "org_role", "") == "external_client":  # the vendor register is internal
        items = [item for item in NAVIGATION if item[1] not in CLIENT_HIDDEN]
    return {
        "nav_items": items,
        "nav_current": match.url_name if match else "",
        "is_pmo": bool(user and user.is_authenticated and user.is_pmo),
    }
