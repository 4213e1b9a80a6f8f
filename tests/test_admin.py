"""The Django admin: every model's pages open, related rows are picked by name, not typed ids."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import models
from django.urls import reverse

from automations.models import AutomationEvent, AutomationExecution
from outreach.models import Contact, OutreachLog, Prospect, SequenceTemplateStep
from tests.factories import ContactFactory, ProspectFactory, UserFactory

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
# The only tables referenced by raw id: logs too big for a select, with no name to search by
# (and template steps, which have no admin of their own to search).
RAW_ID_TARGETS = {OutreachLog, AutomationEvent, AutomationExecution, SequenceTemplateStep}


@pytest.fixture
def superuser_client(db, client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def demo_data(db, settings, tmp_path):
    """The demo workspace: rows in most tables, so the lists render real records."""
    settings.VAR_DIR = tmp_path
    call_command("seed_demo", stdout=open(tmp_path / "seed.log", "w"))  # noqa: SIM115


def admin_url(model: type[models.Model], view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize(
    "model", [model for model, _ in REGISTERED], ids=[m._meta.label for m, _ in REGISTERED]
)
def test_every_model_has_a_working_list_add_page_and_change_page(
    superuser_client, demo_data, model
):
    assert superuser_client.get(admin_url(model, "changelist")).status_code == 200
    # django-axes keeps its sign-in records read-only: they are only looked at or deleted.
    adding = 403 if model._meta.app_label == "axes" else 200
    assert superuser_client.get(admin_url(model, "add")).status_code == adding
    first = model._default_manager.order_by("pk").first()
    if first is not None:
        assert superuser_client.get(admin_url(model, "change", first.pk)).status_code == 200


def every_admin() -> list[admin.options.BaseModelAdmin]:
    found: list[admin.options.BaseModelAdmin] = []
    for model, model_admin in REGISTERED:
        found.append(model_admin)
        found += [inline(model, admin.site) for inline in model_admin.inlines]
    return found


def test_related_rows_are_picked_from_a_list_or_a_search_not_typed_as_ids():
    for model_admin in every_admin():
        for name in model_admin.raw_id_fields:
            target = model_admin.model._meta.get_field(name).related_model
            assert target in RAW_ID_TARGETS, f"{model_admin}: {name} is a raw id"


def test_every_autocomplete_answers(superuser_client, demo_data):
    for model_admin in every_admin():
        for name in model_admin.autocomplete_fields:
            response = superuser_client.get(
                reverse("admin:autocomplete"),
                {
                    "app_label": model_admin.model._meta.app_label,
                    "model_name": model_admin.model._meta.model_name,
                    "field_name": name,
                    "term": "",
                },
            )
            assert response.status_code == 200, f"{model_admin}: {name}"
            assert "results" in response.json()


def prospect_form(workspace_id: int, contacts: list[dict[str, str]]) -> dict[str, object]:
    data: dict[str, object] = {
        "workspace": workspace_id,
        "name": "Initech",
        "domain": "initech.example",
        "website": "",
        "status": "NEW",
        "owner": "",
        "custom_fields": "{}",
        "contacts-TOTAL_FORMS": len(contacts),
        "contacts-INITIAL_FORMS": 0,
        "contacts-MIN_NUM_FORMS": 0,
        "contacts-MAX_NUM_FORMS": 1000,
    }
    for index, contact in enumerate(contacts):
        data.update({f"contacts-{index}-{field}": value for field, value in contact.items()})
        data.setdefault(f"contacts-{index}-outreach_status", "ACTIVE")
    return data


def test_a_prospect_added_with_a_contact_gives_the_contact_its_workspace(
    superuser_client, workspace
):
    data = prospect_form(
        workspace.pk, [{"first_name": "Peter", "last_name": "Gibbons", "email": "peter@ini.tech"}]
    )

    response = superuser_client.post(admin_url(Prospect, "add"), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    prospect = Prospect.objects.get(name="Initech")
    contact = Contact.objects.get(prospect=prospect)
    assert (contact.first_name, contact.workspace) == ("Peter", workspace)
    assert prospect.workspace == workspace


def test_a_contact_whose_email_the_workspace_has_is_refused_with_a_message(
    superuser_client, workspace
):
    ContactFactory(prospect=ProspectFactory(workspace=workspace), email="peter@ini.tech")
    data = prospect_form(workspace.pk, [{"first_name": "Peter", "email": "peter@ini.tech"}])

    response = superuser_client.post(admin_url(Prospect, "add"), data)

    assert response.status_code == 200
    assert "contact_unique_email" in response.content.decode()
    assert not Prospect.objects.filter(name="Initech").exists()
