"""The suggestions' ranking (learning.ranking): who is offered what, on PostgreSQL and SQLite."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learning import ranking
from learning.demo import solution_articles_seed, solution_set
from learning.evaluation import labelled_set_figures
from learning.models import LibraryItem, SuggestionEntry
from learning.ranking import fold, question_key, suggestion_list_for, suggestion_scope_for
from organizations.roles import Role
from tests.factories import PersonFactory, SubscriptionFactory
from tests.factories.learning import LibraryItemFactory, resolved_ticket, solution_article
from tests.factories.visibility import TicketShareFactory
from tickets.selectors import ticket_visible_to

pytestmark = pytest.mark.django_db

QUESTION = "İmar planı sorgusu boş geliyor"
CUSTOMER_ROLES = [Role.CUSTOMER, Role.CUSTOMER, Role.UNIT_MANAGER, Role.INSTITUTION_ADMIN]
# The three ways PostgreSQL reads the tickets a person may see (learning.ranking._TICKETS_SQL):
# their ids, when they are few; a walk of the institution's most recent entries, each candidate
# checked against ticket_visible_to; the GIN index, when the walk finds too few. SQLite matches
# plain words whatever these say.
READING_PATHS = {
    "by the tickets' ids": {},
    "walking the most recent": {"VISIBLE_DRIVE": 0},
    "through the word index": {"VISIBLE_DRIVE": 0, "TICKET_WALK": 0},
}


def _reading_path(monkeypatch, name):
    for constant, value in READING_PATHS[name].items():
        monkeypatch.setattr(ranking, constant, value)


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


def test_a_deactivated_customer_is_offered_no_ticket(customer, engineer):
    # given: a resolved ticket the customer filed, then the customer deactivated
    resolved_ticket(requester=customer, engineer=engineer, subject=QUESTION, answer="Filtreyi kaldırın.")
    article = solution_article(title="İmar planı sorgusu yavaş", answer="Önbelleği açın.")
    scope = suggestion_scope_for(person=customer)
    customer.is_active = False
    # when
    results = suggestion_list_for(scope=scope, subject=QUESTION)
    # then
    assert [(s.kind, s.id) for s in results] == [("article", article.pk)]


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


@pytest.mark.parametrize("path", READING_PATHS)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds())
def test_a_customer_never_sees_another_institutions_ticket_in_suggestions(
    db, engineer, monkeypatch, path, world
):
    _reading_path(monkeypatch, path)
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


def test_every_way_of_reading_the_tickets_offers_the_same(customer, engineer, monkeypatch):
    # given: the customer's own resolved tickets, a colleague's, and another institution's
    colleague = PersonFactory(role=Role.CUSTOMER, institution=customer.institution)
    mine = [
        resolved_ticket(
            requester=customer, engineer=engineer, subject=f"{QUESTION} {n}", answer="A", index=False
        )
        for n in range(3)
    ]
    resolved_ticket(requester=colleague, engineer=engineer, subject=QUESTION, answer="B", index=False)
    from learning.articles import suggestion_ticket_index

    suggestion_ticket_index()
    scope = suggestion_scope_for(person=customer)
    offered = {}
    # when
    for path in READING_PATHS:
        with monkeypatch.context() as patch:
            _reading_path(patch, path)
            offered[path] = [(s.kind, s.id) for s in suggestion_list_for(scope=scope, subject=QUESTION)]
    # then
    assert {tuple(ids) for ids in offered.values()} == {tuple(offered["by the tickets' ids"])}
    assert sorted(ticket_id for _kind, ticket_id in offered["by the tickets' ids"]) == sorted(
        t.pk for t in mine
    )


def test_a_library_kind_the_contract_does_not_read_is_not_suggested(customer, premium):
    # given: a package without project documents
    premium.package.has_project_documents = False
    premium.package.save(update_fields=["has_project_documents"])
    LibraryItemFactory(
        kind=LibraryItem.Kind.PROJECT_DOCUMENT, title="İmar planı veri seti", description="Parsel"
    )
    guide = LibraryItemFactory(
        kind=LibraryItem.Kind.HELP_DOCUMENT, title="İmar planı kılavuzu", description="Adım"
    )
    # when
    results = suggestion_list_for(scope=suggestion_scope_for(person=customer), subject="imar plani")
    # then
    assert [(s.kind, s.id) for s in results] == [("library", guide.pk)]


def test_an_item_moved_to_another_kind_is_offered_as_that_kind(customer, premium):
    # given: a help document, then filed as a project document, which the package does not read
    premium.package.has_project_documents = False
    premium.package.save(update_fields=["has_project_documents"])
    item = LibraryItemFactory(
        kind=LibraryItem.Kind.HELP_DOCUMENT, title="İmar planı veri seti", description="Parsel"
    )
    scope = suggestion_scope_for(person=customer)
    before = [s.id for s in suggestion_list_for(scope=scope, subject="imar plani")]
    item.kind = LibraryItem.Kind.PROJECT_DOCUMENT
    item.save()
    from learning.services import library_item_index

    # when
    library_item_index(item=item)
    # then
    assert before == [item.pk]
    assert SuggestionEntry.objects.get(item=item).item_kind == LibraryItem.Kind.PROJECT_DOCUMENT
    assert suggestion_list_for(scope=scope, subject="imar plani") == []


def test_an_article_whose_title_holds_a_word_of_the_question_is_offered_among_more_matching_ones(
    customer, monkeypatch, postgres
):
    # given: one candidate by words at most, taken by an article holding both words in its answer;
    # the wanted one holds one of them in a title too long to be similar by trigrams
    monkeypatch.setattr(ranking, "LIBRARY_CANDIDATES", 1)
    wanted = solution_article(
        title="Ortofoto katmanı belediye sunucusundan yüklenmiyor", answer="Servisi yeniden başlatın."
    )
    other = solution_article(title="Harita katmanı", answer="Ortofoto gri geliyor, önbelleği temizleyin.")
    # when
    results = suggestion_list_for(scope=suggestion_scope_for(person=customer), subject="ortofoto gri")
    # then
    assert {s.id for s in results} == {wanted.pk, other.pk}


def test_a_misspelled_title_is_still_offered(customer, postgres):
    # given
    article = solution_article(title="Ortofoto görünmüyor", answer="Katmanı yeniden ekleyin.")
    # when: no word of the question is the title's
    results = suggestion_list_for(scope=suggestion_scope_for(person=customer), subject="ortofotto gorunmuyo")
    # then
    assert [(s.kind, s.id) for s in results] == [("article", article.pk)]


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
