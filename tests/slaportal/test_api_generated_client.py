"""The schema generates a working client: openapi-python-client builds a Python package from the
live /api/schema/ into a temporary folder, and a customer's and the desk's journeys run through
the generated code against the live server — nothing hand-written between them and the API."""

import datetime
import importlib
import importlib.util
import os
import shutil
import subprocess
import sys
import uuid

import pytest
import requests
from django.core.files.base import ContentFile
from django.utils import timezone

from organizations.roles import Role
from tests.conftest import require_service
from tests.factories import PersonFactory, SubscriptionFactory
from tests.factories.learning import TrainingFactory
from tests.factories.organizations import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
RECORDING = bytes(range(256)) * 4
# The generator writes a typed model only for JSON; files of other types are read as bytes.
CONFIG = """content_type_overrides:
  application/pdf: application/octet-stream
  application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: application/octet-stream
  video/mp4: application/octet-stream
  video/webm: application/octet-stream
  text/calendar: application/octet-stream
"""


@pytest.fixture
def generated(live_server, tmp_path):
    """The client package generated from the live schema, imported as `slaportal_client`."""
    require_service(
        importlib.util.find_spec("openapi_python_client") is not None,
        "needs openapi-python-client (the dev extras: pip install -e '.[dev]')",
    )
    schema = requests.get(
        f"{live_server.url}/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}, timeout=30
    )
    assert schema.status_code == 200
    (tmp_path / "schema.json").write_bytes(schema.content)
    (tmp_path / "config.yml").write_text(CONFIG)
    bin_dir = os.path.dirname(sys.executable)
    result = subprocess.run(
        [
            shutil.which("openapi-python-client", path=bin_dir)
            or os.path.join(bin_dir, "openapi-python-client"),
            "generate",
            "--path",
            str(tmp_path / "schema.json"),
            "--config",
            str(tmp_path / "config.yml"),
            "--output-path",
            str(tmp_path / "slaportal_client"),
            "--meta",
            "none",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout, result.stdout
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("slaportal_client")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name.split(".")[0] == "slaportal_client"]:
            del sys.modules[name]


def _api(name: str):
    return importlib.import_module(f"slaportal_client.api.{name}")


def _models():
    return importlib.import_module("slaportal_client.models")


def _signed_in(generated, live_server, person):
    models = _models()
    token = _api("auth.auth_token_create").sync(
        client=generated.Client(base_url=live_server.url),
        body=models.TokenRequestRequest(username=person.username, password=PASSWORD),
    )
    assert isinstance(token, models.Token), token
    return generated.AuthenticatedClient(base_url=live_server.url, token=token.token, prefix="Token")


def test_a_customer_and_the_desk_through_the_generated_client(generated, live_server):
    # given: a Premium customer, an engineer, a session to register for and a past one recorded
    models = _models()
    subscription = SubscriptionFactory(package_code="premium")
    customer = PersonFactory(institution=subscription.institution, role=Role.CUSTOMER)
    engineer = PersonFactory(role=Role.SUPPORT_ENGINEER)
    upcoming = TrainingFactory()
    past = TrainingFactory(
        starts_at=timezone.now() - datetime.timedelta(days=1), recording_content_type="video/webm"
    )
    past.recording_file.save("kayit.webm", ContentFile(RECORDING))
    app = _signed_in(generated, live_server, customer)
    desk = _signed_in(generated, live_server, engineer)

    # when: the customer files a ticket
    ticket = _api("tickets.tickets_create").sync(
        client=app,
        body=models.TicketCreateRequest(subject="Harita katmanı açılmıyor", description="Sabahtan beri."),
        idempotency_key=str(uuid.uuid4()),
    )
    assert isinstance(ticket, models.Ticket), ticket

    # then: the desk finds it in the queue, replies and logs a call
    queue = _api("queue.queue_list").sync(client=desk)
    assert ticket.id in [row.id for row in queue.results]
    reply = _api("tickets.tickets_replies_create").sync(
        id=ticket.id, client=desk, body=models.ReplyRequest(body="Önbelleği temizleyip yeniden deneyin.")
    )
    assert isinstance(reply, models.Message), reply
    call = _api("tickets.tickets_calls_create").sync(
        id=ticket.id,
        client=desk,
        body=models.ContactLogRequest(body="Arandı, birlikte denendi.", duration_minutes=10),
        idempotency_key=str(uuid.uuid4()),
    )
    assert isinstance(call, models.ContactLogged), call
    assert call.counted is True

    # and the customer reads the answer
    conversation = _api("tickets.tickets_replies_list").sync(id=ticket.id, client=app)
    assert "Önbelleği temizleyip yeniden deneyin." in [message.body for message in conversation]

    # when: the customer registers for a training and downloads a range of a recording
    registration = _api("trainings.trainings_registration_create").sync(id=upcoming.pk, client=app)
    assert isinstance(registration, models.Registration), registration
    ranged = _api("trainings.trainings_recording_retrieve").sync_detailed(
        id=past.pk, client=app.with_headers({"Range": "bytes=10-19"})
    )
    assert (ranged.status_code, ranged.content) == (206, RECORDING[10:20])

    # when: the desk resolves the ticket and the customer answers the survey
    resolved = _api("tickets.tickets_status_create").sync(
        id=ticket.id, client=desk, body=models.StatusChangeRequest(status=models.TicketStatusEnum.RESOLVED)
    )
    assert isinstance(resolved, models.Ticket), resolved
    survey = _api("tickets.tickets_survey_create").sync(
        id=ticket.id,
        client=app,
        body=models.SurveyAnswerRequest(score=models.ScoreEnum.VALUE_5, comment="Hızlıydı."),
    )
    # then
    assert isinstance(survey, models.Survey), survey
    assert survey.score == 5
