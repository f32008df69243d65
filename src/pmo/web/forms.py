"""Forms of the web pages: they parse and shape input; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms

from pmo.accounts import selectors as people
from pmo.portfolio.selectors import portfolio_list
from pmo.projects.models import (
    CHARTER_CONTENT_FIELDS,
    CharterVersion,
    Health,
    ProjectRole,
    ProjectSize,
    ProjectType,
    RiskLevel,
    Stakeholder,
    Status,
)
from pmo.projects.services import STAKEHOLDER_EDITABLE

TOO_MANY_PARTS = "Line {line} has more than {n} parts separated by '|'."


def _date_input() -> forms.DateInput:
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class LinesField(forms.CharField):
    """A list of texts edited as a textarea, one item per line."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", _textarea(4))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class RowsField(LinesField):
    """A list of small records edited one per line, their parts separated by '|'."""

    def __init__(self, keys: tuple[str, ...], **kwargs: Any) -> None:
        self.keys = keys
        kwargs.setdefault("help_text", "One per line: " + " | ".join(keys))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(" | ".join(str(row.get(k, "")) for k in self.keys) for row in value)
        return value

    def to_python(self, value: Any) -> list[dict[str, str]]:  # type: ignore[override]
        rows = []
        for number, line in enumerate(super().to_python(value), start=1):
            parts = [part.strip() for part in line.split("|")]
            if len(parts) > len(self.keys):
                raise forms.ValidationError(TOO_MANY_PARTS.format(line=number, n=len(self.keys)))
            padded = parts + [""] * (len(self.keys) - len(parts))
            rows.append(dict(zip(self.keys, padded, strict=True)))
        return rows


class VersionedForm(forms.Form):
    """Carries the version the person read, so that a stale write is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def data_without_version(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class ProjectFactsForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=_textarea())
    portfolio = forms.ModelChoiceField(queryset=portfolio_list(), required=False)
    sponsor = forms.ModelChoiceField(queryset=people.sponsor_candidates(), required=False)
    manager = forms.ModelChoiceField(queryset=people.manager_candidates(), required=False)
    planned_start = forms.DateField(required=False, widget=_date_input())
    planned_finish = forms.DateField(required=False, widget=_date_input())
    # optional in a post: a form that leaves them out keeps what the project has
    project_type = forms.ChoiceField(
        label="Type", choices=ProjectType.choices, initial=ProjectType.OTHER, required=False
    )
    size = forms.ChoiceField(
        choices=ProjectSize.choices, initial=ProjectSize.MEDIUM, required=False
    )
    risk_level = forms.ChoiceField(
        label="Risk", choices=RiskLevel.choices, initial=RiskLevel.MEDIUM, required=False
    )

    def service_data(self) -> dict[str, Any]:
        """Cleaned data as the service takes it: related objects become ids."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("version", "code")}
        for name in ("project_type", "size", "risk_level"):
            if not data.get(name):
                data.pop(name, None)
        for name in ("portfolio", "sponsor", "manager"):
            if name in data:
                value = data.pop(name)
                data[f"{name}_id"] = value.pk if value else None
        return data


class ProjectCreateForm(ProjectFactsForm):
    code = forms.CharField(max_length=20, help_text="Capital letters, digits and dashes.")
    field_order = ["code", "name"]


class ProjectEditForm(VersionedForm, ProjectFactsForm):
    status = forms.ChoiceField(choices=Status.choices)
    health = forms.ChoiceField(choices=Health.choices)
    actual_start = forms.DateField(required=False, widget=_date_input())
    actual_finish = forms.DateField(required=False, widget=_date_input())

    @staticmethod
    def initial_for(project: Any) -> dict[str, Any]:
        fields = ["name", "description", "status", "health", "version"]
        fields += ["planned_start", "planned_finish", "actual_start", "actual_finish"]
        fields += ["project_type", "size", "risk_level"]
        initial = {f: getattr(project, f) for f in fields}
        initial.update(
            portfolio=project.portfolio_id, sponsor=project.sponsor_id, manager=project.manager_id
        )
        return initial


class MemberAddForm(forms.Form):
    user = forms.ModelChoiceField(queryset=people.user_list())
    role = forms.ChoiceField(choices=ProjectRole.choices, initial=ProjectRole.MEMBER)


class CharterForm(VersionedForm):
    purpose = forms.CharField(required=False, widget=_textarea())
    problem = forms.CharField(label="Problem to solve", required=False, widget=_textarea())
    objectives = RowsField(("objective", "measure", "target"))
    desired_results = forms.CharField(required=False, widget=_textarea())
    benefits = forms.CharField(required=False, widget=_textarea())
    scope_in = forms.CharField(label="In scope", required=False, widget=_textarea())
    scope_out = forms.CharField(label="Out of scope", required=False, widget=_textarea())
    deliverables = LinesField(help_text="One per line.")
    success_criteria = LinesField(help_text="One per line.")
    assumptions = LinesField(help_text="One per line.")
    constraints = LinesField(help_text="One per line.")
    obstacles = LinesField(label="Obstacles that may prevent completion", help_text="One per line.")
    milestones = RowsField(("name", "date"), help_text="One per line: name | date (YYYY-MM-DD)")
    budget_estimate = forms.DecimalField(required=False, min_value=0, decimal_places=2)
    change_summary = forms.CharField(required=False, max_length=300)

    @staticmethod
    def initial_for(charter: CharterVersion) -> dict[str, Any]:
        fields = [*CHARTER_CONTENT_FIELDS, "change_summary", "version"]
        return {f: getattr(charter, f) for f in fields}


class CharterDecisionForm(VersionedForm):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("return", "Return")])
    comment = forms.CharField(required=False, widget=_textarea())


class StakeholderForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Stakeholder
        # the fields the service accepts, in the model's order
        fields = [f.name for f in Stakeholder._meta.fields if f.name in STAKEHOLDER_EDITABLE]
        widgets = {"notes": _textarea()}
        help_texts = {"interest": "1 (low) to 5 (high)", "influence": "1 (low) to 5 (high)"}

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class DocumentUploadForm(forms.Form):
    file = forms.FileField()
    title = forms.CharField(max_length=200, required=False, help_text="Defaults to the file name.")
    description = forms.CharField(required=False, widget=_textarea(2))
    shared_with_client = forms.BooleanField(required=False)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["upload"] = data.pop("file")
        return data


class DocumentVersionForm(forms.Form):
    file = forms.FileField()
    comment = forms.CharField(max_length=300, required=False)


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="What the token is for, e.g. 'Power BI'.")
