"""Who sees a project and what they may do: the role ladder."""

import pytest

from pmo.core.errors import Forbidden, NotFound
from pmo.projects import services
from pmo.projects.policies import access_project, project_permissions, visible_projects

# relation, sees the project, sees internal parts, edits, decides the charter, uploads documents
LADDER = [
    ("outsider", False, False, False, False, False),
    ("client", True, False, False, False, False),
    ("viewer", True, True, False, False, False),
    ("member", True, True, False, False, True),
    ("sponsor", True, True, False, True, False),
    ("manager", True, True, True, False, True),
    ("pmo_analyst", True, True, True, False, True),
    ("pmo_admin", True, True, True, False, True),
]


@pytest.mark.parametrize(("who", "sees", "internal", "edits", "decides", "uploads"), LADDER)
def test_role_ladder(project, people, who, sees, internal, edits, decides, uploads):
    user = people[who]
    assert visible_projects(user).filter(pk=project.pk).exists() is sees
    perms = project_permissions(user, project)
    if not sees:
        assert perms is None
        with pytest.raises(NotFound, match=f"Project {project.pk} not found."):
            access_project(user, project.pk)
        return
    assert access_project(user, project.pk) == project
    assert (perms.view_internal, perms.edit, perms.decide_charter, perms.upload_documents) == (
        internal,
        edits,
        decides,
        uploads,
    )


def test_missing_and_forbidden_projects_answer_alike(project, people):
    with pytest.raises(NotFound) as missing:
        access_project(people["outsider"], 999_999)
    with pytest.raises(NotFound) as hidden:
        access_project(people["outsider"], project.pk)
    assert missing.value.message.replace("999999", "X") == hidden.value.message.replace(
        str(project.pk), "X"
    )
    with pytest.raises(NotFound):
        access_project(people["manager"], "not-a-number")


def test_anonymous_and_inactive_users_see_nothing(project, people, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert not visible_projects(AnonymousUser()).exists()
    people["manager"].is_active = False
    people["manager"].save()
    assert not visible_projects(people["manager"]).exists()


def test_visible_projects_has_no_duplicates_for_several_relations(project, people):
    # the manager is also a member and could match through several conditions
    assert visible_projects(people["manager"]).count() == 1


def test_team_member_and_client_cannot_create_projects(people):
    for who in ("member", "client", "sponsor"):
        with pytest.raises(Forbidden, match="Only the PMO and project managers"):
            services.project_create(actor=people[who], code="X-1", name="X")


def test_member_may_not_change_project_facts(project, people):
    with pytest.raises(Forbidden, match="You may not change the project's facts on project"):
        services.project_update(
            actor=people["member"], project_id=project.pk, version=None, data={"name": "New"}
        )
