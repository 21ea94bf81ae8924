"""The suggestions' ranking (learning.ranking): who is offered what, on PostgreSQL and SQLite."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learning.demo import solution_articles_seed, solution_set
from learning.evaluation import labelled_set_figures
from learning.ranking import fold, question_key, suggestion_list_for, suggestion_scope_for
from organizations.roles import Role
from tests.factories import PersonFactory, SubscriptionFactory
from tests.factories.learning import resolved_ticket, solution_article
from tests.factories.visibility import TicketShareFactory
from tickets.selectors import ticket_visible_to

pytestmark = pytest.mark.django_db

QUESTION = "İmar planı sorgusu boş geliyor"
CUSTOMER_ROLES = [Role.CUSTOMER, Role.CUSTOMER, Role.UNIT_MANAGER, Role.INSTITUTION_ADMIN]


def test_fold_turns_turkish_letters_into_what_customers_type():
    # given / when
    folded = fold("İmar PLANI Şifre Çizgi ığüöç")
    # then
    assert folded == "imar plani sifre cizgi iguoc"


def test_the_same_question_typed_again_has_the_same_key():
    # given / when
    first = question_key(subject="İmar planı", description="boş geliyor")
    again = question_key(subject="imar  plani", description="BOS geliyor!")
    # then
    assert first == again


def test_an_unpublished_article_is_never_suggested(customer):
    # given
    draft = solution_article(
        title="İmar planı sorgusu boş geliyor", answer="Filtreyi kaldırın.", published=False
    )
    published = solution_article(title="İmar planı sorgusu yavaş", answer="Önbelleği açın.")
    scope = suggestion_scope_for(person=customer)
    # when
    results = suggestion_list_for(scope=scope, subject="imar plani sorgusu bos geliyor")
    # then
    assert [(s.kind, s.id) for s in results] == [("article", published.pk)]
    assert draft.pk not in [s.id for s in results]


def test_an_article_taken_back_to_draft_leaves_the_suggestions(customer):
    # given
    item = solution_article(title="İmar planı sorgusu boş geliyor", answer="Filtreyi kaldırın.")
    item.is_published = False
    item.save()
    from learning.services import library_item_index

    library_item_index(item=item)
    # when
    results = suggestion_list_for(scope=suggestion_scope_for(person=customer), subject=QUESTION)
    # then
    assert results == []


def test_the_institutions_own_resolved_ticket_is_suggested_with_its_answer(customer, engineer):
    # given
    ticket = resolved_ticket(
        requester=customer, engineer=engineer, subject=QUESTION, answer="Filtreyi kaldırın."
    )
    # when
    results = suggestion_list_for(scope=suggestion_scope_for(person=customer), subject="imar plani sorgusu")
    # then
    assert [(s.kind, s.id, s.snippet) for s in results] == [("ticket", ticket.pk, "Filtreyi kaldırın.")]


def test_another_institutions_ticket_is_not_suggested(customer, stranger, engineer):
    # given
    resolved_ticket(requester=stranger, engineer=engineer, subject=QUESTION, answer="Filtreyi kaldırın.")
    # when
    results = suggestion_list_for(scope=suggestion_scope_for(person=customer), subject=QUESTION)
    # then
    assert results == []


def test_the_desk_sees_similar_tickets_of_every_institution(customer, stranger, engineer):
    # given
    mine = resolved_ticket(requester=customer, engineer=engineer, subject=QUESTION, answer="A")
    theirs = resolved_ticket(requester=stranger, engineer=engineer, subject=QUESTION, answer="B")
    # when
    results = suggestion_list_for(scope=suggestion_scope_for(person=engineer), subject=QUESTION)
    # then
    assert {s.id for s in results} == {mine.pk, theirs.pk}


def test_the_product_asked_about_comes_first(customer):
    # given
    from tests.factories.learning import ProductFactory

    netcad, netgis = ProductFactory(code="netcad"), ProductFactory(code="netgis")
    other = solution_article(title="Lisans bulunamadı hatası", answer="Sunucuyu açın.", product=netgis)
    wanted = solution_article(title="Lisans bulunamadı hatası", answer="Portu açın.", product=netcad)
    # when
    results = suggestion_list_for(
        scope=suggestion_scope_for(person=customer), subject="lisans bulunamadi", product_id=netcad.pk
    )
    # then
    assert [s.id for s in results] == [wanted.pk, other.pk]


@st.composite
def worlds(draw):
    """Two or three institutions, each with a few customer-side people who filed resolved tickets,
    some shared with a colleague; every ticket is about the same question."""
    institutions = []
    for _ in range(draw(st.integers(2, 3))):
        people = draw(st.lists(st.sampled_from(CUSTOMER_ROLES), min_size=1, max_size=3))
        tickets = draw(st.lists(st.integers(0, len(people) - 1), min_size=1, max_size=3))
        shares = draw(
            st.sets(st.tuples(st.integers(0, len(tickets) - 1), st.integers(0, len(people) - 1)), max_size=2)
        )
        package = draw(st.sampled_from(["premium", "standard"]))
        institutions.append({"people": people, "tickets": tickets, "shares": shares, "package": package})
    return institutions


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds())
def test_a_customer_never_sees_another_institutions_ticket_in_suggestions(db, engineer, world):
    with transaction.atomic():
        # given
        people, owner = [], {}
        for spec in world:
            institution = SubscriptionFactory(package_code=spec["package"]).institution
            staff = [PersonFactory(role=role, institution=institution) for role in spec["people"]]
            tickets = [
                resolved_ticket(
                    requester=staff[i], engineer=engineer, subject=QUESTION, answer="Çözüldü.", index=False
                )
                for i in spec["tickets"]
            ]
            for ticket_index, person_index in spec["shares"]:
                TicketShareFactory(ticket=tickets[ticket_index], person=staff[person_index])
            people += staff
            owner.update({ticket.pk: institution.pk for ticket in tickets})
        from learning.articles import suggestion_ticket_index

        suggestion_ticket_index()
        # when
        offered = {
            person.pk: [
                s.id for s in suggestion_list_for(scope=suggestion_scope_for(person=person), subject=QUESTION)
            ]
            for person in people
        }
        visible = {
            person.pk: set(ticket_visible_to(person=person).values_list("pk", flat=True)) for person in people
        }
        institution_of = {person.pk: person.institution_id for person in people}
        transaction.set_rollback(True)
    # then
    assert all(owner[pk] == institution_of[person] for person, ids in offered.items() for pk in ids)
    assert all(set(ids) <= visible[person] for person, ids in offered.items())
    assert all(len(ids) == min(5, len(visible[person])) for person, ids in offered.items())


def test_the_labelled_set_meets_its_floor(postgres):
    # given
    articles = solution_articles_seed()
    questions = solution_set()["questions"]
    # when
    figures = labelled_set_figures(questions=questions, articles=articles)
    # then
    assert figures.questions >= 100
    assert figures.hit_rate >= 0.8
    assert figures.mrr >= 0.7


def test_the_labelled_set_is_written_as_customers_write():
    # given
    data = solution_set()
    keys = {article["key"] for article in data["articles"]}
    # when
    with_turkish_letters = [
        q["question"] for q in data["questions"] if fold(q["question"]) != q["question"].lower()
    ]
    # then
    assert len(data["questions"]) >= 100
    assert {q["article"] for q in data["questions"]} <= keys
    assert with_turkish_letters == []
