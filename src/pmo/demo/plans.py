"""Demo plans: a believable WBS of 50–300 tasks per project, built from phases and work packages."""

from __future__ import annotations

import random
from typing import Any

PHASES = [
    ("Initiation", [("Kick-off meeting", 1), ("Confirm scope and charter", 3)]),
    (
        "Requirements",
        [
            ("Stakeholder interviews", 5),
            ("Current-state analysis", 4),
            ("Requirements specification", 6),
            ("Requirements sign-off", 0),
        ],
    ),
    (
        "Design",
        [
            ("Solution architecture", 6),
            ("Security and privacy review", 3),
            ("Detailed design", 8),
            ("Design sign-off", 0),
        ],
    ),
]
PACKAGE_STEPS = [("design", 3), ("build", 8), ("test", 4), ("fix and retest", 2)]
PACKAGE_NAMES = [
    "Customer accounts",
    "Orders",
    "Invoices",
    "Payments",
    "Notifications",
    "Reporting",
    "Search",
    "Integrations",
    "Data migration",
    "User management",
    "Audit trail",
    "Dashboards",
    "Workflow engine",
    "Document store",
    "Mobile views",
    "Analytics",
    "Scheduling",
    "Inventory",
    "Pricing",
    "Self-service",
    "Knowledge base",
    "Feedback",
    "Archiving",
    "Access control",
    "Batch jobs",
    "Master data",
    "Forecasting",
    "Case handling",
    "Contracts",
    "Vendor portal",
    "Asset register",
    "Training content",
    "Help desk",
    "Data quality",
    "Performance tuning",
    "Localisation",
    "Accessibility",
    "Identity federation",
    "API gateway",
    "Monitoring",
    "Backup and restore",
    "Capacity planning",
    "Disaster recovery",
    "Usage analytics",
    "Content management",
    "Survey tool",
    "Time tracking",
    "Expense claims",
    "Approvals",
    "Onboarding",
    "Offboarding",
    "Calendar sync",
    "Chat integration",
    "E-signature",
    "Risk scoring",
    "Compliance checks",
    "Retention rules",
    "Consent management",
    "Reconciliation",
    "Ledger export",
    "Tax rules",
    "Currency handling",
    "Supplier scoring",
    "Route planning",
    "Field dispatch",
    "Spare parts",
    "Maintenance plans",
    "Energy metering",
    "Sensor feeds",
    "Alerting",
]
CLOSING = [
    ("System integration test", 8),
    ("User acceptance test", 10),
    ("Training", 5),
    ("Cut-over rehearsal", 2),
    ("Go-live", 0),
    ("Hypercare", 10),
    ("Handover to operations", 2),
    ("Lessons learned", 1),
    ("Project closed", 0),
]


def demo_plan(code: str, packages: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Tasks and links of a plan with `packages` parallel work packages (4 + 1 tasks each)."""
    rng = random.Random(code)  # noqa: S311 - demo data, not security
    tasks: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []

    def task(key: str, name: str, duration: int, parent: str | None, **extra: Any) -> str:
        cost = None if duration == 0 else duration * rng.choice([600, 800, 950, 1200])
        tasks.append(
            {
                "key": key,
                "name": name,
                "duration": duration,
                "parent": parent,
                "planned_cost": cost,
                "work_hours": duration * 8 or None,
                **extra,
            }
        )
        return key

    def chain(keys: list[str]) -> None:
        links.extend(
            {"predecessor": a, "successor": b} for a, b in zip(keys, keys[1:], strict=False)
        )

    previous_end: str | None = None
    for p, (phase, steps) in enumerate(PHASES):
        phase_key = task(f"P{p}", phase, 0, None)
        keys = [
            task(
                f"P{p}.{s}",
                name,
                max(0, duration + rng.randint(-1, 2)) if duration else 0,
                phase_key,
            )
            for s, (name, duration) in enumerate(steps)
        ]
        chain(keys)
        if previous_end:
            links.append({"predecessor": previous_end, "successor": keys[0]})
        previous_end = keys[-1]
    build = task("B", "Build", 0, None)
    ends = []
    for w in range(packages):
        name = PACKAGE_NAMES[w % len(PACKAGE_NAMES)]
        if w >= len(PACKAGE_NAMES):
            name = f"{name} {w // len(PACKAGE_NAMES) + 1}"
        package = task(f"W{w}", name, 0, build)
        keys = [
            task(f"W{w}.{s}", f"{name}: {step}", duration + rng.randint(0, 3), package)
            for s, (step, duration) in enumerate(PACKAGE_STEPS)
        ]
        chain(keys)
        links.append(
            {"predecessor": previous_end, "successor": keys[0], "lag": rng.choice([0, 0, 2, 5])}
        )
        if w and rng.random() < 0.4:  # a package that needs another's design
            links.append(
                {
                    "predecessor": f"W{rng.randrange(w)}.0",
                    "successor": keys[1],
                    "type": "SS",
                    "lag": 2,
                }
            )
        ends.append(keys[-1])
    build_done = task("B.done", "Build complete", 0, build)
    links.extend({"predecessor": e, "successor": build_done} for e in ends)
    closing = task("C", "Transition and closing", 0, None)
    keys = [task(f"C.{s}", name, duration, closing) for s, (name, duration) in enumerate(CLOSING)]
    chain(keys)
    links.append({"predecessor": build_done, "successor": keys[0]})
    links.append({"predecessor": keys[0], "successor": keys[2], "type": "SS", "lag": 3})
    return tasks, links
