import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from learning.services import library_file_add
from organizations.roles import Role
from tests.factories import PersonFactory, SubscriptionFactory
from tests.factories.learning import LibraryItemFactory, TrainingFactory

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def training(db):
    return TrainingFactory()


@pytest.fixture
def other_customer(db):
    """A customer of another institution that also holds a contract in force."""
    return PersonFactory(
        role=Role.CUSTOMER, institution=SubscriptionFactory(package_code="standard").institution
    )


@pytest.fixture
def no_contract(db):
    """A customer whose institution never had a contract."""
    return PersonFactory(role=Role.CUSTOMER)


@pytest.fixture
def ended_recently(db):
    """A customer whose contract ended five days ago: inside the 30 days of past recordings."""
    subscription = SubscriptionFactory(starts_on=timezone.localdate() - datetime.timedelta(days=370))
    return PersonFactory(role=Role.CUSTOMER, institution=subscription.institution)


@pytest.fixture
def manager(db):
    return PersonFactory(role=Role.PACKAGE_MANAGER)


@pytest.fixture
def document(db):
    """A help document with a PDF of known bytes."""
    item = LibraryItemFactory(title="Netcad kurulum kılavuzu", tags="kurulum, belediye")
    library_file_add(
        actor=None, item=item, upload=SimpleUploadedFile("kilavuz.pdf", PDF + b"0123456789" * 100)
    )
    return item
