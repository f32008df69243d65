"""Evaluating a project's gates: which criteria apply (after tailoring), which are met and why.

Reads only; the rule that a project leaves a stage through a passed gate is `stage_rule`, called
by `pmo.projects.services.project_stage_advance`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pmo.projects.models import STAGE_ORDER, Project, Stage

from .criteria import criterion as registered_criterion
from .models import (
    CriterionKind,
    GateCriterion,
    GateReview,
    ManualEvidence,
    MethodologyVersion,
    ProjectGovernance,
    ReviewState,
    StageDefinition,
    TailoringEffect,
    TailoringRule,
)

UNAVAILABLE = "Criterion unavailable: the check '{key}' is not installed; ask the PMO."
CHECK_FAILED = "Criterion unavailable: the check '{key}' failed ({error}); ask the PMO."
NO_EVIDENCE = "No evidence recorded yet (a document, a link or a comment)."


@dataclass
class CriterionResult:
    criterion: GateCriterion
    label: str
    kind: str
    weight: int
    met: bool
    detail: str
    applies: bool = True
    unavailable: bool = False
    tailoring: str = ""  # why it does not apply
    evidence: ManualEvidence | None = None

    @property
    def column(self) -> str:
        """The heat map's column for this criterion (same check → same column)."""
        return self.label

    def as_dict(self) -> dict[str, Any]:
        return {
            "criterion_id": self.criterion.pk,
            "label": self.label,
            "kind": self.kind,
            "weight": self.weight,
            "applies": self.applies,
            "met": self.met,
            "unavailable": self.unavailable,
            "detail": self.detail,
            "tailoring": self.tailoring,
        }


@dataclass
class GateStatus:
    """The gate at the exit of one stage, as it stands for one project."""

    stage: str
    definition: StageDefinition | None
    applies: bool
    tailoring: str  # why the gate does not apply (or "")
    results: list[CriterionResult] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{Stage(self.stage).label} gate"

    @property
    def applicable(self) -> list[CriterionResult]:
        return [r for r in self.results if r.applies]

    @property
    def missing(self) -> list[CriterionResult]:
        return [r for r in self.applicable if not r.met]

    @property
    def ready(self) -> bool:
        return not self.applies or not self.missing

    def missing_text(self) -> str:
        return " ".join(f"{r.label}: {r.detail}" for r in self.missing)


def governance_of(project: Project) -> ProjectGovernance | None:
    cached = getattr(project, "_governance_cache", False)
    if cached is not False:
        return cached  # type: ignore[no-any-return]
    found = (
        ProjectGovernance.objects.select_related("methodology_version__methodology", "template")
        .filter(project=project)
        .first()
    )
    project._governance_cache = found  # type: ignore[attr-defined]
    return found


def _stage_definitions(version: MethodologyVersion) -> dict[str, StageDefinition]:
    cache = getattr(version, "_stage_cache", None)
    if cache is None:
        cache = {
            d.stage: d
            for d in StageDefinition.objects.filter(version=version).prefetch_related("criteria")
        }
        version._stage_cache = cache  # type: ignore[attr-defined]
    return cache


def _rules(version: MethodologyVersion) -> list[TailoringRule]:
    cache = getattr(version, "_rule_cache", None)
    if cache is None:
        cache = list(TailoringRule.objects.filter(version=version))
        version._rule_cache = cache  # type: ignore[attr-defined]
    return cache


def _tailoring_reason(rule: TailoringRule) -> str:
    return f"{rule.reason} (tailoring for {rule.condition_text()})"


def _evaluate_criterion(
    project: Project, item: GateCriterion, evidence: dict[int, ManualEvidence]
) -> CriterionResult:
    if item.kind == CriterionKind.MANUAL:
        found = evidence.get(item.pk)
        if found is None:
            return CriterionResult(item, item.label, item.kind, item.weight, False, NO_EVIDENCE)
        what = {
            "document": f"document '{found.document.title}'" if found.document else "a document",
            "link": found.url,
            "comment": f"“{found.comment[:120]}”",
        }[found.kind]
        who = (
            found.recorded_by.get_full_name() or found.recorded_by.username
            if found.recorded_by
            else "someone"
        )
        detail = f"Evidence: {what}, by {who} on {found.created_at:%Y-%m-%d}."
        return CriterionResult(
            item, item.label, item.kind, item.weight, True, detail, evidence=found
        )
    try:
        check = registered_criterion(item.key)
    except LookupError:
        return CriterionResult(
            item,
            item.label or item.key,
            item.kind,
            item.weight,
            False,
            UNAVAILABLE.format(key=item.key),
            unavailable=True,
        )
    label = item.label or check.label
    try:
        outcome = check.evaluate(project, item.params)
    except Exception as exc:  # a broken check must not break the gate panel
        return CriterionResult(
            item,
            label,
            item.kind,
            item.weight,
            False,
            CHECK_FAILED.format(key=item.key, error=type(exc).__name__),
            unavailable=True,
        )
    return CriterionResult(item, label, item.kind, item.weight, outcome.met, outcome.detail)


def _evidence_for(project: Project) -> dict[int, ManualEvidence]:
    latest: dict[int, ManualEvidence] = {}
    for row in ManualEvidence.objects.filter(project=project).select_related(
        "document", "recorded_by"
    ):
        latest.setdefault(row.criterion_id, row)  # newest first
    return latest


def evaluate_gate(
    project: Project,
    stage: str,
    *,
    version: MethodologyVersion | None = None,
    evidence: dict[int, ManualEvidence] | None = None,
) -> GateStatus | None:
    """The gate at the exit of `stage` for `project`; None when the project follows no
    methodology."""
    if version is None:
        gov = governance_of(project)
        if gov is None:
            return None
        version = gov.methodology_version
    definition = _stage_definitions(version).get(stage)
    if definition is None or not definition.has_gate:
        why = "The methodology sets no gate at the exit of this stage."
        return GateStatus(stage, definition, False, why)
    rules = [r for r in _rules(version) if r.matches(project)]
    skip_gate = next(
        (r for r in rules if r.effect == TailoringEffect.SKIP_GATE and r.stage_id == definition.pk),
        None,
    )
    status = GateStatus(
        stage,
        definition,
        skip_gate is None,
        _tailoring_reason(skip_gate) if skip_gate else "",
    )
    if evidence is None:
        evidence = _evidence_for(project)
    skipped = {
        r.criterion_id: r
        for r in rules
        if r.effect == TailoringEffect.SKIP_CRITERION and r.criterion_id
    }
    for item in definition.criteria.all():
        if item.pk in skipped or skip_gate is not None:
            rule = skipped.get(item.pk) or skip_gate
            assert rule is not None
            label = item.label or _label_of(item.key)
            status.results.append(
                CriterionResult(
                    item,
                    label,
                    item.kind,
                    item.weight,
                    False,
                    "Does not apply to this project.",
                    applies=False,
                    tailoring=_tailoring_reason(rule),
                )
            )
            continue
        status.results.append(_evaluate_criterion(project, item, evidence))
    return status


def _label_of(key: str) -> str:
    try:
        return registered_criterion(key).label
    except LookupError:
        return key


def gates_so_far(project: Project) -> list[GateStatus]:
    """Every gate from the first stage up to the project's current one (the gate it works
    towards included): what compliance is scored on."""
    gov = governance_of(project)
    if gov is None:
        return []
    evidence = _evidence_for(project)
    reached = STAGE_ORDER[: STAGE_ORDER.index(project.stage) + 1]
    out = []
    for stage in reached:
        if stage == Stage.CLOSED:
            continue
        status = evaluate_gate(project, stage, version=gov.methodology_version, evidence=evidence)
        if status is not None:
            out.append(status)
    return out


def compliance_score(gates: Iterable[GateStatus]) -> float | None:
    """Weighted share of the applicable criteria met, 0–100; None when nothing applies.
    Criteria whose check is unavailable count for neither side."""
    total = met = 0
    for gate in gates:
        if not gate.applies:
            continue
        for result in gate.applicable:
            if result.unavailable:
                continue
            total += result.weight
            met += result.weight if result.met else 0
    if total == 0:
        return None
    return round(100 * met / total, 1)


def passed_review(project: Project, stage: str) -> GateReview | None:
    """The passing decision on the gate at the exit of `stage` not yet used to move on."""
    return (
        GateReview.objects.filter(
            project=project,
            stage=stage,
            state=ReviewState.DECIDED,
            decision__in=("go", "go_with_conditions"),
            used_at__isnull=True,
        )
        .order_by("-decided_at")
        .first()
    )
