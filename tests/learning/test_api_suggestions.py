"""POST /api/v1/suggestions/, the helpful endpoint and the desk's articles API."""

import pytest
from django.test import override_settings

from learning.models import ArticleVersion, Deflection, LibraryItem
from organizations.models import AuditEvent
from tests.factories.learning import resolved_ticket, solution_article

pytestmark = pytest.mark.django_db

QUESTION = {"subject": "imar plani sorgusu bos geliyor", "description": "parsel secince bilgi cikmiyor"}


def test_suggestions_answer_with_results_and_the_written_quota_line(client_for, customer):
    # given
    article = solution_article(title="İmar planı sorgusu boş geliyor", answer="Filtreyi kaldırın.")
    # when
    response = client_for(customer).post("/api/v1/suggestions/", QUESTION, format="json")
    # then
    assert response.status_code == 200
    body = response.json()
    [result] = body["results"]
    assert {k: result[k] for k in ("kind", "id", "title", "snippet", "url")} == {
        "kind": "article",
        "id": article.pk,
        "title": "İmar planı sorgusu boş geliyor",
        "snippet": "Filtreyi kaldırın.",
        "url": f"/learning/library/{article.pk}/",
    }
    assert result["score"] > 0
    assert body["quota"]["channel"] == "written"
    assert body["quota"]["remaining"] == body["quota"]["allotment"]


def test_the_quota_line_is_turkish_with_the_units_left(client_for, standard):
    # given
    from organizations.roles import Role
    from tests.factories import PersonFactory

    person = PersonFactory(role=Role.CUSTOMER, institution=standard.institution)
    client = client_for(person)
    client.post("/api/v1/tickets/", {"subject": "Bir soru", "description": "Ayrıntı"}, format="json")
    # when
    line = client.post("/api/v1/suggestions/", QUESTION, format="json", HTTP_ACCEPT_LANGUAGE="tr").json()[
        "quota"
    ]
    # then
    assert line["remaining"] == 19
    assert line["line"] == (
        "Bu yanıt işinizi görürse talep açmanız gerekmez — 20 yazılı destek hakkınızdan 19'u kaldı."
    )


def test_the_quota_line_in_english(client_for, standard):
    # given
    from organizations.roles import Role
    from tests.factories import PersonFactory

    person = PersonFactory(role=Role.CUSTOMER, institution=standard.institution)
    # when
    line = (
        client_for(person)
        .post("/api/v1/suggestions/", QUESTION, format="json", HTTP_ACCEPT_LANGUAGE="en")
        .json()["quota"]["line"]
    )
    # then
    assert (
        line
        == "If this answers your question, you need not file a ticket — 20 of your 20 written support units left."
    )


def test_an_unknown_product_is_a_400(client_for, customer):
    # when
    response = client_for(customer).post(
        "/api/v1/suggestions/", {**QUESTION, "product": "nope"}, format="json"
    )
    # then
    assert response.status_code == 400
    assert "product" in response.json()["error"]["fields"]


def test_helpful_records_one_deflection_per_person_and_question(client_for, customer):
    # given
    article = solution_article(title="İmar planı sorgusu boş geliyor", answer="Filtreyi kaldırın.")
    client = client_for(customer)
    url = f"/api/v1/suggestions/article/{article.pk}/helpful/"
    # when
    first = client.post(url, QUESTION, format="json")
    again = client.post(url, {**QUESTION, "subject": "IMAR PLANI sorgusu bos geliyor!"}, format="json")
    # then
    assert first.status_code == 201
    assert (again.status_code, again.json()) == (200, {"id": first.json()["id"], "counted": False})
    deflection = Deflection.objects.get()
    assert (deflection.institution_id, deflection.person_id, deflection.kind, deflection.object_id) == (
        customer.institution_id,
        customer.pk,
        "article",
        article.pk,
    )


def test_helpful_on_another_institutions_ticket_is_a_404(client_for, customer, stranger, engineer):
    # given
    ticket = resolved_ticket(requester=stranger, engineer=engineer, subject="İmar planı", answer="Çözüldü.")
    # when
    response = client_for(customer).post(
        f"/api/v1/suggestions/ticket/{ticket.pk}/helpful/", QUESTION, format="json"
    )
    # then
    assert response.status_code == 404
    assert Deflection.objects.count() == 0


def test_helpful_on_a_draft_article_is_a_404(client_for, customer):
    # given
    draft = solution_article(title="İmar planı", answer="Filtreyi kaldırın.", published=False)
    # when
    response = client_for(customer).post(
        f"/api/v1/suggestions/article/{draft.pk}/helpful/", QUESTION, format="json"
    )
    # then
    assert response.status_code == 404


def test_the_desk_drafts_an_article_from_a_resolved_ticket_and_publishes_it(client_for, customer, engineer):
    # given
    ticket = resolved_ticket(
        requester=customer, engineer=engineer, subject="İmar planı boş", answer="Filtreyi kaldırın."
    )
    client = client_for(engineer)
    # when
    created = client.post("/api/v1/articles/", {"ticket": ticket.pk}, format="json")
    seen_before = client_for(customer).post(
        "/api/v1/suggestions/", {"subject": "imar plani bos"}, format="json"
    )
    published = client.post(f"/api/v1/articles/{created.json()['id']}/publish/")
    seen_after = client_for(customer).post(
        "/api/v1/suggestions/", {"subject": "imar plani bos"}, format="json"
    )
    # then
    assert created.status_code == 201
    assert {k: created.json()[k] for k in ("title", "answer", "ticket", "version", "is_published")} == {
        "title": "İmar planı boş",
        "answer": "Filtreyi kaldırın.",
        "ticket": ticket.pk,
        "version": 1,
        "is_published": False,
    }
    assert [r["kind"] for r in seen_before.json()["results"]] == ["ticket"]
    assert (published.status_code, published.json()["is_published"]) == (200, True)
    assert [r["kind"] for r in seen_after.json()["results"]] == ["article", "ticket"]
    assert ArticleVersion.objects.filter(published_at__isnull=False).count() == 1
    assert set(AuditEvent.objects.filter(action__startswith="article.").values_list("action", flat=True)) == {
        "article.create",
        "article.publish",
    }


def test_an_article_draft_leaves_out_the_institutions_name(client_for, customer, engineer):
    # given
    name = customer.institution.name
    ticket = resolved_ticket(
        requester=customer,
        engineer=engineer,
        subject="Harita yavaş",
        description=f"{name} olarak haritayı açamıyoruz",
        answer="Önbelleği açın.",
    )
    # when
    body = client_for(engineer).post("/api/v1/articles/", {"ticket": ticket.pk}, format="json").json()
    # then
    assert name not in body["question"]
    assert body["question"] == "… olarak haritayı açamıyoruz"


def test_an_open_ticket_cannot_become_an_article(client_for, customer, engineer):
    # given
    from tests.factories import TicketFactory

    ticket = TicketFactory(requester=customer)
    # when
    response = client_for(engineer).post("/api/v1/articles/", {"ticket": ticket.pk}, format="json")
    # then
    assert response.status_code in (409, 422)
    assert LibraryItem.objects.filter(kind="solution").count() == 0


def test_customers_may_not_use_the_articles_api(client_for, customer):
    # given
    article = solution_article(title="İmar planı", answer="A", published=False)
    client = client_for(customer)
    # when
    listed = client.get("/api/v1/articles/")
    published = client.post(f"/api/v1/articles/{article.pk}/publish/")
    # then
    assert (listed.status_code, published.status_code) == (403, 403)


def test_customers_read_published_articles_in_the_library(client_for, customer):
    # given
    article = solution_article(title="İmar planı", answer="Filtreyi kaldırın.")
    solution_article(title="Taslak", answer="Henüz değil.", published=False)
    # when
    body = client_for(customer).get("/api/v1/library/?kind=solution").json()
    # then
    assert [(r["id"], r["kind"], r["answer"]) for r in body["results"]] == [
        (article.pk, "solution", "Filtreyi kaldırın.")
    ]


@override_settings(LANGUAGE_CODE="tr")
def test_filing_anyway_keeps_the_answers_shown(client_for, customer):
    # given
    from tickets.models import TicketEvent

    # when
    response = client_for(customer).post(
        "/api/v1/tickets/",
        {"subject": "İmar planı", "description": "Boş", "suggestions_shown": ["article:3", "ticket:9"]},
        format="json",
    )
    # then
    assert response.status_code == 201
    event = TicketEvent.objects.get(ticket_id=response.json()["id"], kind="created")
    assert event.data["suggestions_shown"] == ["article:3", "ticket:9"]


def test_the_desk_saves_an_articles_next_version(client_for, engineer):
    # given
    article = solution_article(title="İmar planı", answer="Eski yanıt.")
    # when
    response = client_for(engineer).patch(
        f"/api/v1/articles/{article.pk}/",
        {"title": "İmar planı sorgusu", "question": "Sorgu boş.", "answer": "Yeni yanıt."},
        format="json",
    )
    # then
    assert response.status_code == 200
    assert {k: response.json()[k] for k in ("title", "answer", "version", "is_published")} == {
        "title": "İmar planı sorgusu",
        "answer": "Yeni yanıt.",
        "version": 2,
        "is_published": True,
    }
    assert list(ArticleVersion.objects.filter(item=article).values_list("number", "answer")) == [
        (2, "Yeni yanıt.")
    ]
