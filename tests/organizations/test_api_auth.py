import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from organizations.roles import Role
from organizations.services import person_deactivate
from slaportal.api.services import api_token_issue
from tests.factories import PersonFactory
from tests.factories.organizations import PASSWORD

pytestmark = pytest.mark.django_db


def test_token_is_issued_for_the_right_password(customer):
    # when
    response = APIClient().post("/api/v1/auth/token/", {"username": customer.username, "password": PASSWORD})
    # then
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=customer).key}


def test_wrong_password_is_refused_in_the_error_shape(customer):
    # when
    response = APIClient().post("/api/v1/auth/token/", {"username": customer.username, "password": "wrong"})
    # then
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert not Token.objects.filter(user=customer).exists()


def test_token_authenticates_the_apps_requests(customer):
    # given
    token = (
        APIClient().post("/api/v1/auth/token/", {"username": customer.username, "password": PASSWORD}).json()
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token['token']}")
    # when
    response = client.get("/api/v1/me/")
    # then
    assert response.status_code == 200
    assert response.json()["username"] == customer.username


def test_delete_revokes_the_callers_token(client_for, customer):
    # given
    client = client_for(customer)
    # when
    revoked = client.delete("/api/v1/auth/token/")
    # then
    assert revoked.status_code == 204
    assert client.get("/api/v1/me/").status_code == 401
    assert not Token.objects.filter(user=customer).exists()


def test_request_without_credentials_is_401_in_the_error_shape(db):
    # when
    response = APIClient().get("/api/v1/me/")
    # then
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response.headers["WWW-Authenticate"] == "Token"


def test_deactivated_persons_token_stops_working(client_for, customer, admin):
    # given
    client = client_for(customer)
    # when
    person_deactivate(actor=admin, person=customer)
    # then
    assert client.get("/api/v1/me/").status_code == 401


def test_inactive_persons_surviving_token_is_refused(premium):
    # given: a token that outlived its person's deactivation
    person = PersonFactory(institution=premium.institution, role=Role.CUSTOMER)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(actor=person).key}")
    person.is_active = False
    person.save(update_fields=["is_active"])
    # when
    response = client.get("/api/v1/me/")
    # then
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_deactivated_person_gets_no_token(customer, admin):
    # given
    person_deactivate(actor=admin, person=customer)
    # when
    response = APIClient().post("/api/v1/auth/token/", {"username": customer.username, "password": PASSWORD})
    # then
    assert response.status_code == 400
    assert not Token.objects.filter(user=customer).exists()


def test_repeated_wrong_passwords_lock_the_username_out(settings, customer):
    # given: django-axes on, as in production
    settings.AXES_ENABLED = True
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/api/v1/auth/token/", {"username": customer.username, "password": "wrong"})
    # when: even the right password
    response = client.post("/api/v1/auth/token/", {"username": customer.username, "password": PASSWORD})
    # then
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"
    assert not Token.objects.filter(user=customer).exists()


def test_token_requests_are_throttled_per_address(settings, customer):
    # given
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login": "2/min"},
    }
    client = APIClient()
    for _ in range(2):
        client.post("/api/v1/auth/token/", {"username": customer.username, "password": "wrong"})
    # when
    response = client.post("/api/v1/auth/token/", {"username": customer.username, "password": PASSWORD})
    # then
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert response.json()["error"]["retry_after"] > 0
    assert "Retry-After" in response.headers


def test_browser_session_is_accepted(customer):
    # given
    client = APIClient()
    client.force_login(customer)
    # when
    response = client.get("/api/v1/me/")
    # then
    assert response.status_code == 200


def _login_rate(settings, rate: str) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "login": rate},
    }


def _token(customer, password: str, forwarded: str):
    return APIClient().post(
        "/api/v1/auth/token/",
        {"username": customer.username, "password": password},
        HTTP_X_FORWARDED_FOR=forwarded,
        REMOTE_ADDR="10.0.0.2",
    )


def test_behind_a_trusted_proxy_each_client_has_its_own_login_throttle(settings, customer):
    # given: one proxy (Caddy) in front; a client has used its two tries
    settings.TRUSTED_PROXY_COUNT = 1
    _login_rate(settings, "2/min")
    for _ in range(2):
        _token(customer, "wrong", "203.0.113.7")
    # when
    same_client = _token(customer, PASSWORD, "203.0.113.7")
    other_client = _token(customer, PASSWORD, "198.51.100.9")
    # then
    assert same_client.status_code == 429
    assert other_client.status_code == 200


def test_a_forged_forwarded_address_does_not_escape_the_throttle(settings, customer):
    # given: a client writes its own X-Forwarded-For, before the proxy appends the real address
    settings.TRUSTED_PROXY_COUNT = 1
    _login_rate(settings, "2/min")
    for forged in ("1.1.1.1", "2.2.2.2"):
        _token(customer, "wrong", f"{forged}, 203.0.113.7")
    # when
    response = _token(customer, PASSWORD, "3.3.3.3, 203.0.113.7")
    # then
    assert response.status_code == 429


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(settings, customer):
    # given: gunicorn reached directly (TRUSTED_PROXY_COUNT 0): the header is the client's own
    settings.TRUSTED_PROXY_COUNT = 0
    _login_rate(settings, "2/min")
    for forged in ("1.1.1.1", "2.2.2.2"):
        _token(customer, "wrong", forged)
    # when
    response = _token(customer, PASSWORD, "3.3.3.3")
    # then
    assert response.status_code == 429


def test_the_lockout_goes_by_the_client_behind_the_proxy(settings, customer):
    # given: django-axes on; one client behind the proxy failed five times
    settings.AXES_ENABLED = True
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _token(customer, "wrong", "203.0.113.7")
    # when
    locked = _token(customer, PASSWORD, "203.0.113.7")
    elsewhere = _token(customer, PASSWORD, "198.51.100.9")
    # then: the person signs in from elsewhere; the failing address stays locked out
    assert locked.status_code == 429
    assert elsewhere.status_code == 200
