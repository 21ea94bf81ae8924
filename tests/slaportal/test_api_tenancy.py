"""The tenant boundary: every endpoint that names an object, called by people of another
institution with the real ids of the first institution's objects, answers 404 with no data and
changes nothing; lists never show another institution's objects."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import SchemaGenerator

from organizations.models import MonitoringGrant
from organizations.roles import Role
from organizations.services import monitoring_grant_give, region_create, unit_create
from performance.models import UsageKey
from tests.bookings.test_api import BOOKING_ENDPOINTS
from tests.factories import MacroFactory, PersonFactory, SubscriptionFactory, TicketFactory
from tests.factories.performance import UsageKeyFactory
from tickets.models import Macro, Ticket, TicketEvent, TicketShare
from tickets.services import attachment_add, ticket_change_status, ticket_reply
from tickets.services.sharing import ticket_share

pytestmark = pytest.mark.django_db

SECRET = "Kuzey bölgesi maaş tablosu"

# (method, path as in the schema, body) for every operation on one object.
TICKET_ENDPOINTS = [
    ("get", "/api/v1/tickets/{id}/", None),
    ("patch", "/api/v1/tickets/{id}/", {"status": "closed"}),
    ("get", "/api/v1/tickets/{id}/replies/", None),
    ("post", "/api/v1/tickets/{id}/replies/", {"body": "Hello"}),
    ("get", "/api/v1/tickets/{id}/attachments/", None),
    ("post", "/api/v1/tickets/{id}/attachments/", "file"),
    ("get", "/api/v1/tickets/{id}/attachments/{attachment_id}/", None),
    ("post", "/api/v1/tickets/{id}/reopen/", {}),
    ("post", "/api/v1/tickets/{id}/notes/", {"body": "x"}),
    ("post", "/api/v1/tickets/{id}/calls/", {"body": "x"}),
    ("post", "/api/v1/tickets/{id}/remote-sessions/", {"body": "x"}),
    ("post", "/api/v1/tickets/{id}/status/", {"status": "closed"}),
    ("post", "/api/v1/tickets/{id}/assign/", {"assignee": None}),
    ("post", "/api/v1/tickets/{id}/deadline/", {"due_at": "2026-12-31T12:00:00+03:00"}),
    ("post", "/api/v1/tickets/{id}/escalate/", {}),
    ("get", "/api/v1/tickets/{id}/development-item/", None),
    ("patch", "/api/v1/tickets/{id}/development-item/", {"state": "released"}),
    ("get", "/api/v1/tickets/{id}/shares/", None),
    ("post", "/api/v1/tickets/{id}/shares/", {"region": "{region}"}),
    ("delete", "/api/v1/tickets/{id}/shares/{share_id}/", None),
    ("get", "/api/v1/tickets/{id}/survey/", None),
    ("post", "/api/v1/tickets/{id}/survey/", {"score": 5}),
    ("get", "/api/v1/tickets/{id}/contact-requests/", None),
    ("post", "/api/v1/tickets/{id}/contact-requests/", {"kind": "call", "preferred_times": ["14:00"]}),
]
ORGANIZATION_ENDPOINTS = [
    ("get", "/api/v1/regions/{id}/", None),
    ("patch", "/api/v1/regions/{id}/", {"name": "Güney"}),
    ("get", "/api/v1/units/{id}/", None),
    ("patch", "/api/v1/units/{id}/", {"name": "Şube"}),
    ("get", "/api/v1/people/{id}/", None),
    ("patch", "/api/v1/people/{id}/", {"role": "customer"}),
    ("post", "/api/v1/people/{id}/deactivate/", {}),
    ("post", "/api/v1/people/{id}/reactivate/", {}),
    ("get", "/api/v1/people/{id}/export/", None),
    ("post", "/api/v1/people/{id}/anonymise/", {"confirm": "x"}),
    ("post", "/api/v1/monitoring-grants/{id}/revoke/", None),
    ("post", "/api/v1/usage/keys/{id}/revoke/", None),
]
# The vendor's training sessions and library, which every subscriber reads alike: no institution
# owns them. What is a person's own in them (a registration, a download count) is checked against
# another institution's person in tests/learning/test_api.py.
SHARED_ENDPOINTS = [
    ("get", "/api/v1/trainings/{id}/", None),
    ("get", "/api/v1/trainings/{id}/recording/", None),
    ("get", "/api/v1/trainings/{id}/ics/", None),
    ("post", "/api/v1/trainings/{id}/registration/", None),
    ("delete", "/api/v1/trainings/{id}/registration/", None),
    ("get", "/api/v1/trainings/{id}/attendance/", None),
    ("post", "/api/v1/trainings/{id}/attendance/", {"people": []}),
    ("get", "/api/v1/library/{id}/", None),
    ("get", "/api/v1/library/{id}/download/", None),
]

# The destruction records belong to the vendor (one run destroys every institution's data): the
# customer side is refused them (403); tests/portal/test_api.py checks the readers.
DESTRUCTION_RECORD_ENDPOINTS = [("get", "/api/v1/vendor/destruction-records/{id}/pdf/", None)]

# The development unit's items belong to no institution: the customer side is refused them all
# (403, nothing of the item shown); it sees an item only on its own ticket.
DEVELOPMENT_ENDPOINTS = [
    ("get", "/api/v1/development-items/{id}/", None),
    ("patch", "/api/v1/development-items/{id}/", {"state": "triaged"}),
    ("post", "/api/v1/development-items/{id}/merge/", {"into": 1}),
]

# Answers offered while writing: the helpful endpoint names an answer, and a resolved ticket is its
# institution's own; the desk's articles are refused to the customer side (403, nothing changed).
SUGGESTION_ENDPOINTS = [("post", "/api/v1/suggestions/{kind}/{id}/helpful/", {"subject": SECRET})]
ARTICLE_ENDPOINTS = [
    ("patch", "/api/v1/articles/{id}/", {"title": "x", "question": "x", "answer": "x"}),
    ("post", "/api/v1/articles/{id}/publish/", None),
]

# The desk's macros belong to no institution: the customer side is refused them (403); another
# engineer's personal macro reads as missing (tests/tickets/test_api_macros.py).
MACRO_ENDPOINTS = [
    ("delete", "/api/v1/macros/{id}/", None),
]


@pytest.fixture
def first_institution(db):
    """Institution A with a tree, people, a monitoring grant and a ticket holding a file, a message,
    a development item and a share."""
    subscription = SubscriptionFactory(package_code="premium")
    institution = subscription.institution
    admin = PersonFactory(institution=institution, role=Role.INSTITUTION_ADMIN)
    region = region_create(actor=admin, institution=institution, name="Kuzey")
    unit = unit_create(actor=admin, institution=institution, region=region, name="Merkez")
    person = PersonFactory(unit=unit, role=Role.CUSTOMER)
    ticket = TicketFactory(requester=person, subject=SECRET, kind="bug")
    ticket_reply(actor=person, ticket=ticket, body=SECRET)
    attachment = attachment_add(
        actor=person, ticket=ticket, upload=SimpleUploadedFile("plan.txt", SECRET.encode())
    )
    share = ticket_share(actor=person, ticket=ticket, unit=unit)
    manager = PersonFactory(unit=unit, role=Role.UNIT_MANAGER)
    grant = monitoring_grant_give(actor=admin, person=manager)
    return {
        "ticket": ticket,
        "attachment": attachment,
        "region": region,
        "unit": unit,
        "person": person,
        "share": share,
        "grant": grant,
        "usage_key": UsageKeyFactory(institution=institution, actor=admin),
    }


@pytest.fixture
def second_institution(db):
    subscription = SubscriptionFactory(package_code="premium")
    return {
        "admin": PersonFactory(institution=subscription.institution, role=Role.INSTITUTION_ADMIN),
        "customer": PersonFactory(institution=subscription.institution, role=Role.CUSTOMER),
    }


def _url(path: str, objects: dict) -> str:
    resource = path.split("/")[3]
    ids = {
        "tickets": objects["ticket"].pk,
        "regions": objects["region"].pk,
        "units": objects["unit"].pk,
        "people": objects["person"].pk,
        "monitoring-grants": objects["grant"].pk,
        "usage": objects["usage_key"].pk,
    }
    return (
        path.replace("{id}", str(ids[resource]))
        .replace("{attachment_id}", str(objects["attachment"].pk))
        .replace("{share_id}", str(objects["share"].pk))
    )


def _body(body, objects):
    """The body with "{region}"-style values replaced by the first institution's real ids."""
    if not isinstance(body, dict):
        return body
    return {
        key: objects[value[1:-1]].pk if str(value).startswith("{") else value for key, value in body.items()
    }


def _call(client, method, url, body):
    if body == "file":
        return client.post(url, {"file": SimpleUploadedFile("x.txt", b"x")}, format="multipart")
    return getattr(client, method)(url, body)


def _assert_not_found_and_no_data(response):
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": response.json()["error"]["message"], "fields": {}}
    }
    assert SECRET not in response.content.decode()


def _state(objects) -> tuple:
    ticket = Ticket.objects.get(pk=objects["ticket"].pk)
    person = objects["person"].__class__.objects.get(pk=objects["person"].pk)
    return (
        ticket.status,
        ticket.assignee_id,
        TicketEvent.objects.filter(ticket=ticket).count(),
        person.is_active,
        sorted(
            TicketShare.objects.filter(ticket=ticket).values_list("pk", "unit_id", "region_id", "person_id")
        ),
        MonitoringGrant.objects.get(pk=objects["grant"].pk).revoked_at,
        UsageKey.objects.get(pk=objects["usage_key"].pk).revoked,
    )


@pytest.mark.parametrize(
    ("method", "path", "body"), TICKET_ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in TICKET_ENDPOINTS]
)
@pytest.mark.parametrize("role", ["admin", "customer"])
def test_ticket_endpoints_answer_other_institutions_with_404(
    client_for, first_institution, second_institution, method, path, body, role
):
    # given
    client = client_for(second_institution[role])
    before = _state(first_institution)
    # when
    response = _call(client, method, _url(path, first_institution), _body(body, first_institution))
    # then
    _assert_not_found_and_no_data(response)
    assert _state(first_institution) == before


@pytest.mark.parametrize(
    ("method", "path", "body"), ORGANIZATION_ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in ORGANIZATION_ENDPOINTS]
)
def test_organization_endpoints_answer_other_institutions_admin_with_404(
    client_for, first_institution, second_institution, method, path, body
):
    # given
    client = client_for(second_institution["admin"])
    before = _state(first_institution)
    # when
    response = _call(client, method, _url(path, first_institution), _body(body, first_institution))
    # then
    _assert_not_found_and_no_data(response)
    assert _state(first_institution) == before


def test_the_tables_cover_every_operation_on_one_object():
    # given
    schema = SchemaGenerator().get_schema(request=None, public=True)
    # when
    operations = {
        (method, path)
        for path, item in schema["paths"].items()
        if "{" in path
        for method in item
        if method != "parameters"
    }
    # then
    assert operations == {
        (m, p)
        for m, p, _ in TICKET_ENDPOINTS
        + ORGANIZATION_ENDPOINTS
        + SHARED_ENDPOINTS
        + BOOKING_ENDPOINTS
        + DEVELOPMENT_ENDPOINTS
        + DESTRUCTION_RECORD_ENDPOINTS
        + SUGGESTION_ENDPOINTS
        + ARTICLE_ENDPOINTS
        + MACRO_ENDPOINTS
    }


@pytest.mark.parametrize("role", ["admin", "customer"])
def test_a_resolved_ticket_of_another_institution_cannot_be_marked_helpful(
    client_for, first_institution, second_institution, role
):
    # given
    from learning.articles import suggestion_ticket_index
    from learning.models import Deflection

    engineer = PersonFactory(role=Role.SUPPORT_ENGINEER)
    ticket = first_institution["ticket"]
    ticket_reply(actor=engineer, ticket=ticket, body=SECRET)
    ticket_change_status(actor=engineer, ticket=ticket, status="resolved")
    suggestion_ticket_index()
    [(method, path, body)] = SUGGESTION_ENDPOINTS
    # when
    response = _call(
        client_for(second_institution[role]),
        method,
        path.replace("{kind}", "ticket").replace("{id}", str(ticket.pk)),
        body,
    )
    # then
    _assert_not_found_and_no_data(response)
    assert Deflection.objects.count() == 0


@pytest.mark.parametrize(
    ("method", "path", "body"), ARTICLE_ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in ARTICLE_ENDPOINTS]
)
@pytest.mark.parametrize("role", ["admin", "customer"])
def test_articles_are_refused_to_the_customer_side(client_for, second_institution, role, method, path, body):
    # given
    from tests.factories.learning import solution_article

    draft = solution_article(title=SECRET, answer=SECRET, published=False)
    # when
    response = _call(client_for(second_institution[role]), method, path.replace("{id}", str(draft.pk)), body)
    # then
    assert response.status_code == 403
    assert SECRET not in response.content.decode()
    draft.refresh_from_db()
    assert (draft.is_published, draft.version, draft.title) == (False, 1, SECRET)


@pytest.mark.parametrize(
    ("method", "path", "body"), MACRO_ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in MACRO_ENDPOINTS]
)
@pytest.mark.parametrize("role", ["admin", "customer"])
def test_macros_are_refused_to_the_customer_side(client_for, second_institution, method, path, body, role):
    # given: a macro the whole desk shares
    macro = MacroFactory(owner=None, body=SECRET)
    # when
    response = _call(client_for(second_institution[role]), method, path.replace("{id}", str(macro.pk)), body)
    # then
    assert response.status_code == 403
    assert SECRET not in response.content.decode()
    assert Macro.objects.filter(pk=macro.pk).exists()


@pytest.mark.parametrize(
    ("method", "path", "body"), DEVELOPMENT_ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in DEVELOPMENT_ENDPOINTS]
)
@pytest.mark.parametrize("role", ["admin", "customer"])
def test_development_items_are_refused_to_the_customer_side(
    client_for, first_institution, second_institution, method, path, body, role
):
    # given: the item of the first institution's bug report
    item = Ticket.objects.get(pk=first_institution["ticket"].pk).development_item
    before = (item.state, Ticket.objects.filter(development_item=item).count())
    # when
    response = _call(client_for(second_institution[role]), method, path.replace("{id}", str(item.pk)), body)
    # then
    item.refresh_from_db()
    assert response.status_code == 403
    assert SECRET not in response.content.decode()
    assert (item.state, Ticket.objects.filter(development_item=item).count()) == before


LISTS = [
    "/api/v1/tickets/",
    "/api/v1/people/",
    "/api/v1/regions/",
    "/api/v1/units/",
]


@pytest.mark.parametrize("url", LISTS)
def test_lists_never_show_another_institutions_objects(
    client_for, first_institution, second_institution, url
):
    # given
    client = client_for(second_institution["admin"])
    # when
    response = client.get(url)
    # then
    assert response.status_code == 200
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    foreign_ids = {first_institution[k].pk for k in ("ticket", "region", "unit", "person")}
    assert not {row["id"] for row in rows} & foreign_ids
    assert SECRET not in response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/api/v1/people/?unit={unit}", "/api/v1/people/?region={region}", "/api/v1/units/?region={region}"],
)
def test_filtering_by_another_institutions_ids_finds_nothing(
    client_for, first_institution, second_institution, url
):
    # when
    response = client_for(second_institution["admin"]).get(
        url.format(unit=first_institution["unit"].pk, region=first_institution["region"].pk)
    )
    # then
    body = response.json()
    assert (body["results"] if isinstance(body, dict) else body) == []


def test_the_first_institutions_admin_reaches_the_same_ids(client_for, first_institution):
    # given: the control — the ids are real and reachable from their own institution
    admin = first_institution["person"].institution.people.get(role=Role.INSTITUTION_ADMIN)
    client = client_for(admin)
    # a resolved ticket, so that its satisfaction survey exists too
    engineer = PersonFactory(role=Role.SUPPORT_ENGINEER)
    ticket_change_status(actor=engineer, ticket=first_institution["ticket"], status="resolved")
    # when
    statuses = {
        client.get(_url(p, first_institution)).status_code for m, p, _ in TICKET_ENDPOINTS if m == "get"
    }
    # then
    assert statuses == {200}
