"""Demo content of the learning services, so that a newcomer sees the feature at once: two
upcoming sessions (one limited to three places), a past one with its recording, and one library
item of each kind with a small file, and the solution articles of the labelled set
(learning/data/solutions.json). Running it again changes nothing that is already there."""

import datetime
import json
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from .models import PRODUCT_MODEL, LibraryItem, Training
from .services import library_file_add, library_item_index

FILES = Path(__file__).resolve().parent / "demo_files"


def _at(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _product(code: str):
    from django.apps import apps

    return apps.get_model(PRODUCT_MODEL).objects.filter(code=code).first()


def learning_demo_seed() -> None:
    with transaction.atomic():
        _trainings()
        _library()
        solution_articles_seed()


def _trainings() -> None:
    netcad = _product("netcad")
    sessions = [
        {
            "title": "Netcad ile parsel sorgulama (canlı eğitim)",
            "product": netcad,
            "description": "Parsel ve ada sorgularını hızlandırma, sık yapılan hatalar. Kontenjan 3 kişi.",
            "starts_at": _at(3, 10),
            "ends_at": _at(3, 11),
            "capacity": 3,
        },
        {
            "title": "NetGIS Server yönetimine giriş",
            "product": _product("netgis"),
            "description": "Servis yayınlama, yetkilendirme ve yedekleme.",
            "starts_at": _at(10, 14),
            "ends_at": _at(10, 16),
            "capacity": None,
        },
        {
            "title": "Netcad'de katman stilleri",
            "product": netcad,
            "description": "Stil şablonları oluşturma ve projeler arasında paylaşma.",
            "starts_at": _at(-7, 10),
            "ends_at": _at(-7, 11),
            "capacity": None,
        },
    ]
    for values in sessions:
        title = values.pop("title")
        training, created = Training.objects.get_or_create(
            title=title,
            defaults={
                **values,
                "language": "tr",
                "is_published": True,
                "meeting_url": "https://meet.example.com/slaportal-egitim",
            },
        )
        if created and training.ends_at < timezone.now():
            training.recording_content_type = "video/webm"
            training.recording_file.save(
                "kayit.webm", ContentFile((FILES / "recording.webm").read_bytes()), save=True
            )


def _library() -> None:
    items = [
        (
            LibraryItem.Kind.HELP_DOCUMENT,
            "Netcad kurulum kılavuzu",
            "netcad",
            "kurulum, lisans, belediye",
            "Kurulum adımları ve lisans sunucusu ayarları.",
            "kurulum-kilavuzu.pdf",
        ),
        (
            LibraryItem.Kind.VIDEO,
            "Parsel sorgusu nasıl yapılır?",
            "netcad",
            "parsel, sorgu, video",
            "Kısa bir anlatım videosu.",
            "parsel-sorgusu.webm",
        ),
        (
            LibraryItem.Kind.PROJECT_DOCUMENT,
            "Örnek adres veri seti",
            "netgis",
            "adres, veri seti, belediyeler",
            "Belediyelerin adres projelerinde kullanılabilecek örnek veri.",
            "adres-veri-seti.csv",
        ),
    ]
    for kind, title, product_code, tags, description, file_name in items:
        item, created = LibraryItem.objects.get_or_create(
            title=title,
            defaults={
                "kind": kind,
                "product": _product(product_code),
                "tags": tags,
                "description": description,
            },
        )
        if not created:
            continue
        library_item_index(item=item)
        source = FILES / ("recording.webm" if file_name.endswith(".webm") else file_name)
        library_file_add(actor=None, item=item, upload=SimpleUploadedFile(file_name, source.read_bytes()))


SOLUTIONS = Path(__file__).resolve().parent / "data" / "solutions.json"
SOLUTION_PRODUCTS = {
    "netcad": "Netcad",
    "netgis": "NetGIS Server",
    "netigma": "Netigma",
    "netcad-architect": "Netcad Architect",
}


def solution_set() -> dict:
    """The solution articles the project keeps and its labelled set: questions written as customers
    write them (inflected, misspelled, without Turkish letters), each with the key of the article
    that answers it (docs/suggestions.md)."""
    return json.loads(SOLUTIONS.read_text(encoding="utf-8"))


def solution_articles_seed() -> dict[str, LibraryItem]:
    """The kept solution articles, published, by key. Running it again changes nothing."""
    from django.apps import apps

    product_model = apps.get_model(PRODUCT_MODEL)
    found = {}
    for row in solution_set()["articles"]:
        product, _created = product_model.objects.get_or_create(
            code=row["product"], defaults={"name": SOLUTION_PRODUCTS.get(row["product"], row["product"])}
        )
        item = LibraryItem.objects.filter(kind=LibraryItem.Kind.SOLUTION, title=row["title"]).first()
        if item is None:
            item = LibraryItem.objects.create(
                kind=LibraryItem.Kind.SOLUTION,
                title=row["title"],
                description=row["question"],
                answer=row["answer"],
                product=product,
                is_published=True,
            )
            library_item_index(item=item)
        found[row["key"]] = item
    return found
