"""The web pages show what the selector allows: the role x relation table through /tickets/ and
/tickets/<id>/ (another institution's ticket is a 404, like a missing one)."""

import re

import pytest

from organizations.roles import CUSTOMER_SIDE
from tests.tickets.test_selectors import CASES, build_world, expected_row

pytestmark = pytest.mark.django_db

LIST_CASES = [(package, role) for package, role in CASES if role in CUSTOMER_SIDE]


def case_id(case) -> str:
    return f"{case[0]}-{case[1].value}"


@pytest.mark.parametrize(("package_code", "role"), LIST_CASES, ids=[case_id(c) for c in LIST_CASES])
def test_ticket_list_page_shows_what_the_role_may_see(client, package_code, role):
    # given
    world = build_world(package_code, role)
    client.force_login(world.viewer)
    # when
    response = client.get("/tickets/")
    # then
    assert response.status_code == 200
    listed = {int(pk) for pk in re.findall(r'href="/tickets/(\d+)/"', response.content.decode())}
    seen = {relation: ticket.pk in listed for relation, ticket in world.tickets.items()}
    assert seen == expected_row(package_code, role)


@pytest.mark.parametrize(("package_code", "role"), CASES, ids=[case_id(c) for c in CASES])
def test_ticket_page_opens_only_what_the_role_may_see(client, package_code, role):
    # given
    world = build_world(package_code, role)
    client.force_login(world.viewer)
    # when
    statuses = {
        relation: client.get(f"/tickets/{ticket.pk}/").status_code
        for relation, ticket in world.tickets.items()
    }
    # then
    expected = {relation: 200 if seen else 404 for relation, seen in expected_row(package_code, role).items()}
    assert statuses == expected
