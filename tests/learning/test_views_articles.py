"""The desk's similar answers on the ticket page, and the article pages (draft, review, publish)."""

import pytest
from django.urls import reverse

from learning.models import ArticleVersion, LibraryItem
from tests.clients import login
from tests.factories import TicketFactory
from tests.factories.learning import resolved_ticket, solution_article

pytestmark = pytest.mark.django_db


def test_the_desk_sees_similar_answers_with_use_this_answer(client, customer, engineer):
    # given
    earlier = resolved_ticket(
        requester=customer, engineer=engineer, subject="İmar planı boş", answer="Filtreyi kaldırın."
    )
    article = solution_article(title="İmar planı sorgusu boş geliyor", answer="Önbelleği temizleyin.")
    ticket = TicketFactory(requester=customer, subject="imar plani bos geliyor")
    login(client, engineer)
    # when
    html = client.get(reverse("ticket-detail", args=[ticket.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then
    assert 'data-testid="similar-answers"' in html
    assert "Filtreyi kaldırın." in html and "Önbelleği temizleyin." in html
    assert html.count("data-use-answer=") == 2
    assert f'href="/tickets/{earlier.pk}/"' in html and f'href="/learning/library/{article.pk}/"' in html
    assert "js/suggestions.js" in html


def test_the_customer_sees_no_similar_answers_panel(client, customer, engineer):
    # given
    resolved_ticket(
        requester=customer, engineer=engineer, subject="İmar planı boş", answer="Filtreyi kaldırın."
    )
    ticket = TicketFactory(requester=customer, subject="imar plani bos geliyor")
    login(client, customer)
    # when
    html = client.get(reverse("ticket-detail", args=[ticket.pk])).content.decode()
    # then
    assert 'data-testid="similar-answers"' not in html


def test_the_desk_drafts_reviews_and_publishes_an_article(client, customer, engineer):
    # given
    ticket = resolved_ticket(
        requester=customer, engineer=engineer, subject="İmar planı boş", answer="Filtreyi kaldırın."
    )
    login(client, engineer)
    # when
    drafted = client.post(reverse("learning-article-new"), {"ticket": ticket.pk})
    item = LibraryItem.objects.get(kind="solution")
    saved = client.post(
        reverse("learning-library-item", args=[item.pk]),
        {
            "action": "save",
            "title": "İmar planı sorgusu boş",
            "question": "Sorgu boş.",
            "answer": "Filtreyi kaldırın.",
        },
    )
    published = client.post(reverse("learning-library-item", args=[item.pk]), {"action": "publish"})
    # then
    assert drafted.url == saved.url == published.url == reverse("learning-library-item", args=[item.pk])
    item.refresh_from_db()
    assert (item.title, item.version, item.is_published) == ("İmar planı sorgusu boş", 2, True)
    versions = ArticleVersion.objects.filter(item=item).values_list("number", "published_at")
    assert [(number, published_at is not None) for number, published_at in versions] == [
        (2, True),
        (1, False),
    ]


def test_a_customer_reads_a_published_article_but_not_a_draft(client, customer):
    # given
    published = solution_article(title="İmar planı", answer="Filtreyi kaldırın.")
    draft = solution_article(title="Taslak", answer="Henüz değil.", published=False)
    login(client, customer)
    # when
    shown = client.get(reverse("learning-library-item", args=[published.pk]))
    hidden = client.get(reverse("learning-library-item", args=[draft.pk]))
    posted = client.post(reverse("learning-library-item", args=[published.pk]), {"action": "publish"})
    # then
    assert shown.status_code == 200 and "Filtreyi kaldırın." in shown.content.decode()
    assert (hidden.status_code, posted.status_code) == (404, 403)


def test_another_institution_drafting_from_a_ticket_is_refused(client, customer, stranger, engineer):
    # given
    ticket = resolved_ticket(requester=customer, engineer=engineer, subject="İmar planı boş", answer="A")
    login(client, stranger)
    # when
    response = client.post(reverse("learning-article-new"), {"ticket": ticket.pk})
    # then
    assert response.status_code == 403
    assert not LibraryItem.objects.filter(kind="solution").exists()


def test_the_filing_page_offers_suggestions_from_a_static_script(client, customer):
    # given
    login(client, customer)
    # when
    html = client.get(reverse("ticket-new")).content.decode()
    # then
    assert "data-suggestions" in html and 'data-suggest-url="/api/v1/suggestions/"' in html
    assert 'name="suggestions_shown"' in html
    assert "js/suggestions.js" in html and "<script>" not in html
