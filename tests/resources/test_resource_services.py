"""Writes on the pool and on assignments: who may, validation, default work, labour cost, audit."""

import datetime as dt
from decimal import Decimal

import pytest

from pmo.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from pmo.core.models import AuditEntry
from pmo.resources import services
from pmo.resources.models import Assignment, Resource


def _assign(project, people, task, resource, **data):
    return services.assignment_create(
        actor=people["manager"],
        project_id=project.pk,
        data={"task_id": task.pk, "resource_id": resource.pk, **data},
    )


@pytest.mark.parametrize("who", ["manager", "member", "sponsor", "outsider"])
def test_only_the_pmo_edits_the_pool(people, pool, who):
    with pytest.raises(Forbidden) as exc:
        services.resource_create(actor=people[who], data={"name": "X", "role_id": pool["role"].pk})
    assert exc.value.message == services.PMO_ONLY


def test_pool_writes_are_validated_and_audited(people, pool):
    admin = people["pmo_admin"]
    with pytest.raises(ValidationFailed) as exc:
        services.resource_create(actor=admin, data={"name": "X", "role_id": 999_999})
    assert exc.value.message == services.ROLE_NOT_FOUND.format(id=999_999)
    with pytest.raises(ValidationFailed) as exc:
        services.resource_update(
            actor=admin,
            resource_id=pool["ada"].pk,
            version=None,
            data={"employed_from": dt.date(2027, 2, 1), "employed_to": dt.date(2027, 1, 1)},
        )
    assert "The employment end cannot be before its start." in exc.value.message
    with pytest.raises(ValidationFailed):
        services.resource_update(
            actor=admin, resource_id=pool["ada"].pk, version=None, data={"availability": 101}
        )
    ada = services.resource_update(
        actor=admin, resource_id=pool["ada"].pk, version=1, data={"availability": 50}
    )
    assert (ada.availability, ada.version) == (50, 2)
    with pytest.raises(Conflict):
        services.resource_update(
            actor=admin, resource_id=ada.pk, version=1, data={"department": "IT"}
        )
    assert AuditEntry.objects.filter(object_type="resources.resource").count() == 3


def test_work_defaults_to_duration_times_hours_a_day_times_units(project, people, tasks, pool):
    full = _assign(project, people, tasks["design"], pool["ada"])
    half = _assign(project, people, tasks["build"], pool["dev"], units="0.5")
    given = _assign(project, people, tasks["build"], pool["ada"], work_hours=12)
    assert (full.work_hours, half.work_hours, given.work_hours) == (
        Decimal("40.00"),
        Decimal("20.00"),
        12,
    )
    changed = services.assignment_update(
        actor=people["manager"],
        project_id=project.pk,
        assignment_id=full.pk,
        version=1,
        data={"units": "0.25"},
    )
    assert changed.work_hours == Decimal("10.00")


def test_assignments_stay_in_the_project_and_are_not_doubled(
    project, people, tasks, pool, make_user
):
    _assign(project, people, tasks["design"], pool["ada"])
    with pytest.raises(ValidationFailed) as exc:
        _assign(project, people, tasks["design"], pool["ada"])
    assert exc.value.message == services.ALREADY_ASSIGNED.format(resource="Ada")
    with pytest.raises(NotFound):
        services.assignment_create(
            actor=people["outsider"],
            project_id=project.pk,
            data={"task_id": tasks["design"].pk, "resource_id": pool["ada"].pk},
        )
    with pytest.raises(Forbidden):
        services.assignment_create(
            actor=people["member"],
            project_id=project.pk,
            data={"task_id": tasks["build"].pk, "resource_id": pool["ada"].pk},
        )


def test_labour_cost_uses_the_rate_in_force_at_the_task_start(project, people, tasks, pool):
    admin = people["pmo_admin"]
    services.resource_rate_create(
        actor=admin,
        resource_id=pool["ada"].pk,
        data={"effective_from": dt.date(2027, 4, 1), "hourly_rate": 100},
    )
    ada = _assign(project, people, tasks["design"], pool["ada"])
    placeholder = _assign(project, people, tasks["build"], pool["dev"])
    # Design starts 1 March 2027: the 80/h rate of January, not April's 100/h.
    assert services.assignment_labour_cost(ada) == Decimal("3200.00")
    # No rate of its own: the role's default 50/h.
    assert services.assignment_labour_cost(placeholder) == Decimal("2000.00")


def test_a_resource_with_assignments_cannot_be_deleted(project, people, tasks, pool):
    assignment = _assign(project, people, tasks["design"], pool["ada"])
    with pytest.raises(ValidationFailed) as exc:
        services.resource_delete(actor=people["pmo_admin"], resource_id=pool["ada"].pk)
    assert exc.value.message == services.RESOURCE_IN_USE.format(resource="Ada")
    services.assignment_delete(
        actor=people["manager"], project_id=project.pk, assignment_id=assignment.pk
    )
    services.resource_delete(actor=people["pmo_admin"], resource_id=pool["ada"].pk)
    assert not Assignment.objects.exists()
    assert not Resource.objects.filter(name="Ada").exists()
