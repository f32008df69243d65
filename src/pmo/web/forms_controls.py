"""Forms of the controls pages: risks, budget lines, quality items and communications.

They parse and shape input for the controls services, which decide what is allowed; the choices
of tasks and stakeholders are the project's own.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms

from pmo.accounts import selectors as people
from pmo.controls.models import (
    STRATEGIES_FOR_KIND,
    BudgetLine,
    CommunicationItem,
    QualityItem,
    Risk,
    RiskKind,
)
from pmo.controls.services import (
    BUDGET_LINE_EDITABLE,
    COMMUNICATION_ITEM_EDITABLE,
    QUALITY_ITEM_EDITABLE,
    RISK_EDITABLE,
)
from pmo.planning.models import Task
from pmo.projects.models import Project, Stakeholder

from .forms import _date_input, _textarea

MULTI_SIZE = 8  # rows shown by a multi-select; a plan of 300 tasks stays usable
STRATEGY_HELP = "Threats: {threat}. Opportunities: {opportunity}.".format(
    **{kind: ", ".join(STRATEGIES_FOR_KIND[kind]) for kind in RiskKind.values}
)


def _multi() -> forms.SelectMultiple:
    return forms.SelectMultiple(attrs={"size": MULTI_SIZE})


RISK_LINKS = {"tasks": "task_ids"}
AUDIENCE_LINKS = {"audience": "stakeholder_ids"}


def _scale() -> forms.Select:
    return forms.Select(choices=[(n, n) for n in range(1, 6)])


def _fields(model: type[Any], editable: set[str], links: dict[str, str] | None = None) -> list[str]:
    """The model fields the service accepts, in the model's order: `owner_id` is `owner`, and
    a many-to-many field stands for the ids key that `links` names."""
    links = links or {}
    names = {name.removesuffix("_id") for name in editable - set(links.values())} | set(links)
    return [f.name for f in [*model._meta.fields, *model._meta.many_to_many] if f.name in names]


class ControlForm(forms.ModelForm):
    """A controls form for one project; carries the version read, so stale writes are refused.

    `links` maps a many-to-many field to the ids key the service takes.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    links: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("owner", "reviewer"):
            if name in self.fields:
                self.fields[name].queryset = people.user_list()  # type: ignore[attr-defined]
        if "tasks" in self.fields:
            self.fields["tasks"].queryset = (  # type: ignore[attr-defined]
                Task.objects.filter(project=project).only("pk", "wbs", "name").order_by("position")
            )
        if "audience" in self.fields:
            self.fields["audience"].queryset = Stakeholder.objects.filter(  # type: ignore[attr-defined]
                project=project
            ).order_by("name")

    def service_data(self) -> dict[str, Any]:
        """Cleaned data as the service takes it: related rows become ids."""
        data: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if name == "version":
                continue
            if name in self.links:
                data[self.links[name]] = sorted(row.pk for row in value)
            elif isinstance(self.fields[name], forms.ModelChoiceField):
                data[f"{name}_id"] = value.pk if value else None
            else:
                data[name] = value
        return data


class RiskForm(ControlForm):
    links: ClassVar[dict[str, str]] = RISK_LINKS

    class Meta:
        model = Risk
        fields = _fields(Risk, RISK_EDITABLE, RISK_LINKS)
        widgets = {
            "cause": _textarea(2),
            "event": _textarea(2),
            "effect": _textarea(2),
            "response_actions": _textarea(3),
            "trigger": _textarea(2),
            "review_date": _date_input(),
            "tasks": _multi(),
            "probability": _scale(),
            "impact": _scale(),
        }
        labels = {"tasks": "Linked tasks", "schedule_impact_days": "Schedule impact (days)"}
        help_texts = {
            "probability": "1 (rare) to 5 (almost certain)",
            "impact": "1 (minor) to 5 (severe)",
            "strategy": STRATEGY_HELP,
            "tasks": "Hold Ctrl (or Cmd) to pick several.",
        }


class BudgetLineForm(ControlForm):
    class Meta:
        model = BudgetLine
        fields = _fields(BudgetLine, BUDGET_LINE_EDITABLE)
        field_classes = {"period": forms.DateField}
        widgets = {"period": forms.DateInput(format="%Y-%m", attrs={"type": "month"})}
        labels = {"period": "Month"}
        help_texts = {"period": ""}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # browsers send a month as YYYY-MM; a full date stands for its month too
        self.fields["period"].input_formats = ["%Y-%m", "%Y-%m-%d"]  # type: ignore[attr-defined]

    def clean_period(self) -> Any:
        period = self.cleaned_data["period"]
        return period.replace(day=1) if period else period


class QualityItemForm(ControlForm):
    class Meta:
        model = QualityItem
        fields = _fields(QualityItem, QUALITY_ITEM_EDITABLE)
        widgets = {
            "acceptance_criteria": _textarea(3),
            "quality_standards": _textarea(2),
            "due_date": _date_input(),
        }


class CommunicationItemForm(ControlForm):
    links: ClassVar[dict[str, str]] = AUDIENCE_LINKS
    field_order = ["information", "audience"]

    class Meta:
        model = CommunicationItem
        fields = _fields(CommunicationItem, COMMUNICATION_ITEM_EDITABLE, AUDIENCE_LINKS)
        widgets = {"audience": _multi(), "next_due": _date_input()}
        labels = {
            "audience": "Audience (stakeholders)",
            "audience_description": "Audience, in words",
        }
        help_texts = {"audience": "Hold Ctrl (or Cmd) to pick several."}
