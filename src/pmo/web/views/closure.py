"""Closing a project: the Closing tab (the closing path with each step's status and forms), the
client's acceptance page, the vendor register with each vendor's history, and the downloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from pmo.accounts.models import OrgRole
from pmo.closure import selectors, services
from pmo.closure.models import ContractStatus, DeliverableState
from pmo.closure.reports import final_report_pdf
from pmo.core.errors import NotFound
from pmo.projects.models import Document
from pmo.projects.policies import CREATOR_ROLES, require_internal
from pmo.support.models import LessonCategory

from .common import attempt, page, project_and_permissions

DATE = forms.DateInput(attrs={"type": "date"})
SCORES = [(n, str(n)) for n in range(5, 0, -1)]


class DeliverableForm(forms.Form):
    name = forms.CharField(max_length=200)
    acceptance_criteria = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    shared_with_client = forms.BooleanField(
        required=False, initial=True, label="Shared with the client"
    )


class ContractForm(forms.Form):
    vendor_id = forms.TypedChoiceField(label="Vendor", coerce=int)
    reference = forms.CharField(max_length=60)
    title = forms.CharField(max_length=200)
    value = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    start = forms.DateField(widget=DATE)
    end = forms.DateField(widget=DATE)
    deliverables = forms.CharField(
        required=False, label="What the vendor delivers", widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, vendors: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vendor_id"].choices = vendors


class InvoiceForm(forms.Form):
    date = forms.DateField(widget=DATE)
    amount = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    reference = forms.CharField(max_length=100, label="Invoice number")
    is_final = forms.BooleanField(required=False, label="Final invoice")


class ContractClosureForm(forms.Form):
    obligations_met = forms.TypedChoiceField(
        label="Obligations met",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
    )
    closure_date = forms.DateField(widget=DATE)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    document_ids = forms.TypedMultipleChoiceField(
        label="Closure documents", coerce=int, required=False
    )

    def __init__(self, *args: Any, documents: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document_ids"].choices = documents


class AssessmentForm(forms.Form):
    quality = forms.TypedChoiceField(choices=SCORES, coerce=int)
    timeliness = forms.TypedChoiceField(choices=SCORES, coerce=int)
    cost = forms.TypedChoiceField(choices=SCORES, coerce=int)
    communication = forms.TypedChoiceField(choices=SCORES, coerce=int)
    comments = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class BenefitForm(forms.Form):
    name = forms.CharField(max_length=200)
    measure = forms.CharField(max_length=200, help_text="With its unit, e.g. calls a month.")
    planned_value = forms.DecimalField(max_digits=14, decimal_places=2)
    planned_by = forms.DateField(widget=DATE)


class MeasurementForm(forms.Form):
    date = forms.DateField(widget=DATE)
    value = forms.DecimalField(max_digits=14, decimal_places=2)
    note = forms.CharField(required=False, max_length=300)


class ReviewForm(forms.Form):
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    went_well = forms.CharField(
        required=False, label="What went well", widget=forms.Textarea(attrs={"rows": 3})
    )
    to_improve = forms.CharField(
        required=False, label="What to improve", widget=forms.Textarea(attrs={"rows": 3})
    )


class LessonForm(forms.Form):
    category = forms.ChoiceField(choices=LessonCategory.choices)
    what_happened = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    impact = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    recommendation = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    tags = forms.CharField(required=False, help_text="Comma-separated.")


class VendorForm(forms.Form):
    name = forms.CharField(max_length=200)
    contact_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=40, required=False)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _documents(project: Any) -> list[tuple[int, str]]:
    return list(Document.objects.filter(project=project).values_list("pk", "title"))


def _vendors() -> list[tuple[int, str]]:
    from pmo.closure.models import Vendor

    return list(Vendor.objects.order_by("name").values_list("pk", "name"))


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _ids(request: HttpRequest, name: str) -> list[int]:
    return [i for i in (_int(v) for v in request.POST.getlist(name)) if i]


def _run(request: HttpRequest, call: Callable[[], Any], done: str) -> None:
    if attempt(request, call) is not None:
        messages.success(request, done)


def _form_errors(request: HttpRequest, form: forms.Form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label or field.replace("_", " ") if field in form.fields else ""
        messages.error(request, f"{label.capitalize()}: {errors[0]}" if label else errors[0])


def _closing_action(request: HttpRequest, project: Any) -> None:  # noqa: C901 - one dispatch
    """One POST of the Closing tab: the action names the service; the page shows the outcome."""
    actor, pid, post = request.user, project.pk, request.POST
    action = post.get("action", "")
    target = _int(post.get("target"))

    def with_form(form: forms.Form, call: Callable[[dict[str, Any]], Any], done: str) -> None:
        if form.is_valid():
            _run(request, lambda: call(form.cleaned_data), done)
        else:
            _form_errors(request, form)

    if action == "deliverable_create":
        with_form(
            DeliverableForm(post),
            lambda d: services.deliverable_create(actor=actor, project_id=pid, data=d),
            "Deliverable recorded.",
        )
    elif action == "deliverable_delete" and target:
        _run(
            request,
            lambda: (
                services.deliverable_delete(actor=actor, project_id=pid, deliverable_id=target)
                or True
            ),
            "Deliverable removed.",
        )
    elif action == "acceptance_request":
        _run(
            request,
            lambda: services.acceptance_request(actor=actor, project_id=pid),
            "Acceptance requested; the client and the sponsor were notified.",
        )
    elif action == "release":
        _run(
            request,
            lambda: services.resources_release(actor=actor, project_id=pid),
            "Resources released; the release report is below.",
        )
    elif action == "contract_create":
        with_form(
            ContractForm(post, vendors=_vendors()),
            lambda d: services.contract_create(actor=actor, project_id=pid, data=d),
            "Contract recorded.",
        )
    elif action == "invoice" and target:
        with_form(
            InvoiceForm(post),
            lambda d: services.contract_invoice_record(
                actor=actor, project_id=pid, contract_id=target, **d
            ),
            "Invoice recorded against the contract (and in the project's actual costs).",
        )
    elif action == "contract_close" and target:
        with_form(
            ContractClosureForm(post, documents=_documents(project)),
            lambda d: services.contract_close(
                actor=actor,
                project_id=pid,
                contract_id=target,
                version=None,
                obligations_met=d["obligations_met"],
                closure_date=d["closure_date"],
                notes=d["notes"],
                document_ids=d["document_ids"],
            ),
            "Contract closed.",
        )
    elif action == "assess" and target:
        with_form(
            AssessmentForm(post),
            lambda d: services.vendor_assess(
                actor=actor, project_id=pid, contract_id=target, data=d
            ),
            "Vendor assessed; the scorecard joins the vendor's history.",
        )
    elif action == "review_refresh":
        _run(
            request,
            lambda: services.pir_refresh(actor=actor, project_id=pid),
            "Review filled in from the project's data.",
        )
    elif action == "review_update":
        form = ReviewForm(post)
        if form.is_valid():
            data: dict[str, Any] = dict(form.cleaned_data)
            count = _int(post.get("objective_count")) or 0
            if count:
                data["objectives"] = [
                    {
                        "achieved": post.get(f"achieved_{i}", ""),
                        "met": {"yes": True, "no": False}.get(post.get(f"met_{i}", "")),
                    }
                    for i in range(count)
                ]
            _run(
                request,
                lambda: services.pir_update(
                    actor=actor, project_id=pid, version=_int(post.get("version")), data=data
                ),
                "Review saved.",
            )
    elif action == "review_finalise":
        _run(
            request,
            lambda: services.pir_finalise(actor=actor, project_id=pid, version=None),
            "Review final.",
        )
    elif action == "lesson":
        with_form(
            LessonForm(post),
            lambda d: services.pir_lesson_add(
                actor=actor,
                project_id=pid,
                category=d["category"],
                what_happened=d["what_happened"],
                impact=d["impact"],
                recommendation=d["recommendation"],
                tags=[t.strip() for t in d["tags"].split(",") if t.strip()],
            ),
            "Lesson sent to the lessons learned repository.",
        )
    elif action == "benefit_create":
        with_form(
            BenefitForm(post),
            lambda d: services.benefit_create(actor=actor, project_id=pid, data=d),
            "Benefit recorded.",
        )
    elif action == "measure" and target:
        with_form(
            MeasurementForm(post),
            lambda d: services.benefit_measure(actor=actor, project_id=pid, benefit_id=target, **d),
            "Realised value recorded.",
        )
    elif action == "close":
        _run(
            request,
            lambda: services.project_close(actor=actor, project_id=pid),
            "Project closed. It is read-only now; its archive bundle is ready.",
        )
    elif action == "reopen":
        _run(
            request,
            lambda: services.project_reopen(
                actor=actor, project_id=pid, reason=post.get("reason", "")
            ),
            "Project reopened; it is back in closing.",
        )
    elif action == "archive":
        _run(
            request,
            lambda: services.archive_build(actor=actor, project_id=pid),
            "Archive bundle built.",
        )
    else:
        messages.error(request, "Unknown action.")


@page("GET", "POST")
def closing(request: HttpRequest, project_id: int) -> HttpResponse:
    project, perms = project_and_permissions(request, project_id, internal=True)
    if request.method == "POST":
        _closing_action(request, project)
        anchor = request.POST.get("anchor", "")
        return redirect(f"{request.path}#{anchor}" if anchor else request.path)
    actor = request.user
    overview = selectors.closing_overview(actor=actor, project=project)
    contracts = list(selectors.contract_list(actor=actor, project=project))
    documents = _documents(project)
    context = {
        "project": project,
        "can": perms,
        "overview": overview,
        "deliverables": selectors.deliverable_list(actor=actor, project=project),
        "sign_offs": selectors.sign_off_list(actor=actor, project=project),
        "contracts": contracts,
        "release": overview.release,
        "open_hours": selectors.open_work_hours(project),
        "returns": selectors.budget_returns(actor=actor, project=project),
        "pir": overview.pir,
        "benefits": selectors.benefit_rows(actor=actor, project=project),
        "archives": selectors.archive_list(actor=actor, project=project),
        "reopenings": selectors.reopenings(actor=actor, project=project),
        "retention_years": services.retention_years(),
        "is_pmo_admin": actor.org_role == OrgRole.PMO_ADMIN or actor.is_superuser,
        "lessons_available": True,
        "deliverable_form": DeliverableForm(),
        "contract_form": ContractForm(vendors=_vendors()),
        "invoice_form": InvoiceForm(),
        "closure_form": ContractClosureForm(documents=documents),
        "assessment_form": AssessmentForm(),
        "benefit_form": BenefitForm(),
        "measurement_form": MeasurementForm(),
        "review_form": ReviewForm(
            initial={
                "summary": overview.pir.summary,
                "went_well": overview.pir.went_well,
                "to_improve": overview.pir.to_improve,
            }
            if overview.pir
            else None
        ),
        "lesson_form": LessonForm(),
        "states": DeliverableState,
        "contract_closed": ContractStatus.CLOSED,
    }
    return render(request, "web/closure/closing.html", context)


@page("GET", "POST")
def acceptance(request: HttpRequest, project_id: int) -> HttpResponse:
    """Where the client (or the sponsor) accepts or rejects what they were asked to accept."""
    project, perms = project_and_permissions(request, project_id)
    may_decide = perms.relation in ("client", "sponsor") and not perms.closed
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        done = attempt(
            request,
            lambda: services.deliverables_decide(
                actor=request.user,
                project_id=project.pk,
                deliverable_ids=_ids(request, "deliverable"),
                decision=decision,
                comment=request.POST.get("comment", ""),
                ip=services.request_ip(request.META),
            ),
        )
        if done is not None:
            messages.success(
                request,
                f"{done.get_decision_display()}: recorded with sign-off #{done.pk} "
                f"(digest {done.digest[:12]}…).",
            )
        return redirect("closing_acceptance", project.pk)
    deliverables = selectors.deliverable_list(actor=request.user, project=project)
    return render(
        request,
        "web/closure/acceptance.html",
        {
            "project": project,
            "can": perms,
            "may_decide": may_decide,
            "awaiting": [d for d in deliverables if d.state == DeliverableState.REQUESTED],
            "decided": [
                d
                for d in deliverables
                if d.state in (DeliverableState.ACCEPTED, DeliverableState.REJECTED)
            ],
            "sign_offs": selectors.sign_off_list(actor=request.user, project=project),
        },
    )


@page("GET")
def archive_download(request: HttpRequest, project_id: int, archive_id: int) -> FileResponse:
    project, _ = project_and_permissions(request, project_id, internal=True)
    archive = selectors.archive_get(actor=request.user, project=project, archive_id=archive_id)
    try:
        handle = archive.file.open("rb")
    except FileNotFoundError:
        raise NotFound(f"The file of archive {archive_id} is missing from storage.") from None
    name = archive.file.name.rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/zip")


@page("GET")
def final_report(request: HttpRequest, project_id: int) -> HttpResponse:
    project, _ = project_and_permissions(request, project_id, internal=True)
    require_internal(request.user, project)
    response = HttpResponse(
        final_report_pdf(project, actor=request.user), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{project.code}-final-report.pdf"'
    return response


@page("GET", "POST")
def vendor_list(request: HttpRequest) -> HttpResponse:
    may_edit = request.user.org_role in CREATOR_ROLES or request.user.is_superuser
    form = VendorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        vendor = attempt(
            request,
            lambda: services.vendor_create(actor=request.user, data=form.cleaned_data),
            form=form,
        )
        if vendor is not None:
            messages.success(request, f"{vendor.name} added to the vendor register.")
            return redirect("vendor_detail", vendor.pk)
    vendors = selectors.vendor_list(actor=request.user)
    return render(
        request,
        "web/closure/vendors.html",
        {"vendors": vendors, "form": form, "may_edit": may_edit},
    )


@page("GET")
def vendor_detail(request: HttpRequest, vendor_id: int) -> HttpResponse:
    vendor = selectors.vendor_get(actor=request.user, vendor_id=vendor_id)
    return render(
        request,
        "web/closure/vendor.html",
        {
            "vendor": vendor,
            "history": selectors.vendor_history(actor=request.user, vendor=vendor),
            "contracts": selectors.vendor_contracts(actor=request.user, vendor=vendor),
        },
    )
