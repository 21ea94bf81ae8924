import datetime

import pytest
from django.utils import timezone

from learning.access import learning_access, library_access, training_access
from learning.models import LibraryItem
from learning.selectors import library_item_list_for, training_list_for
from learning.services import training_register
from tests.factories.learning import LibraryItemFactory, TrainingFactory


def _titles(qs) -> list[str]:
    return list(qs.values_list("title", flat=True))


def test_search_finds_the_inflected_turkish_form(postgres, customer):
    # given
    LibraryItemFactory(
        title="Adres kılavuzu", description="Her belediye için adres numaralama.", tags="adres"
    )
    LibraryItemFactory(title="Lisans sunucusu", description="Kurulum ve lisanslama.", tags="lisans")
    access = library_access(person=customer)
    # when
    found = library_item_list_for(access=access, search="belediyeler")
    # then
    assert _titles(found) == ["Adres kılavuzu"]


def test_search_finds_the_base_form_from_an_inflected_text(postgres, customer):
    # given
    LibraryItemFactory(title="Veri seti", description="Belediyelerin paylaştığı parseller.", tags="")
    # when
    found = library_item_list_for(access=library_access(person=customer), search="parsel belediye")
    # then
    assert _titles(found) == ["Veri seti"]


def test_search_without_full_text_falls_back_to_substrings(customer, monkeypatch):
    # given: a database without PostgreSQL's full-text search
    LibraryItemFactory(title="Katman stilleri", tags="stil")
    LibraryItemFactory(title="Lisans sunucusu", tags="lisans")

    class _Other:
        vendor = "sqlite"

    monkeypatch.setattr("learning.selectors.connection", _Other())
    # when
    found = library_item_list_for(access=library_access(person=customer), search="STIL")
    # then
    assert _titles(found) == ["Katman stilleri"]


def test_library_is_newest_first_and_filters_by_kind(customer):
    # given
    older = LibraryItemFactory(kind=LibraryItem.Kind.VIDEO)
    LibraryItem.objects.filter(pk=older.pk).update(created_at=timezone.now() - datetime.timedelta(days=1))
    newer = LibraryItemFactory(kind=LibraryItem.Kind.VIDEO)
    LibraryItemFactory(kind=LibraryItem.Kind.PROJECT_DOCUMENT)
    # when
    videos = library_item_list_for(access=library_access(person=customer), kind=LibraryItem.Kind.VIDEO)
    # then
    assert list(videos) == [newer, older]


def test_customers_do_not_see_drafts(customer):
    # given
    LibraryItemFactory(is_published=False)
    TrainingFactory(is_published=False)
    # then
    assert list(library_item_list_for(access=library_access(person=customer))) == []
    assert list(training_list_for(access=training_access(person=customer))) == []


def test_registrations_are_marked_for_the_person_only(customer, other_customer, training):
    # given
    training_register(actor=other_customer, training=training)
    # when
    mine = training_list_for(access=training_access(person=customer)).get()
    theirs = training_list_for(access=training_access(person=other_customer)).get()
    # then
    assert (mine.is_registered, theirs.is_registered) == (False, True)
    assert mine.registered_count == 1


def test_ended_contract_sees_past_sessions_only(ended_recently):
    # given
    TrainingFactory(title="Gelecek")
    TrainingFactory(title="Geçmiş", starts_at=timezone.now() - datetime.timedelta(days=2))
    # when
    access = training_access(person=ended_recently)
    # then
    assert access.past_only
    assert _titles(training_list_for(access=access)) == ["Geçmiş"]


def test_ended_contract_reads_no_library(ended_recently):
    # when / then
    with pytest.raises(Exception) as refused:
        library_access(person=ended_recently)
    assert refused.type.__name__ == "PermissionDenied"


def test_contract_ended_over_30_days_ago_sees_nothing(db):
    # given
    from organizations.roles import Role
    from tests.factories import PersonFactory, SubscriptionFactory

    subscription = SubscriptionFactory(starts_on=timezone.localdate() - datetime.timedelta(days=400))
    person = PersonFactory(role=Role.CUSTOMER, institution=subscription.institution)
    # when / then
    with pytest.raises(Exception) as refused:
        learning_access(person=person)
    assert refused.type.__name__ == "PermissionDenied"


def test_training_list_is_one_query(customer, django_assert_num_queries):
    # given
    for _ in range(5):
        TrainingFactory()
    access = training_access(person=customer)
    # when / then: one for the sessions with their counts, none per session
    with django_assert_num_queries(1):
        sessions = list(training_list_for(access=access))
        assert [s.product for s in sessions] == [None] * 5
