"""The Turkish catalogue is the product's first language: it must stay complete and compiled."""

from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
CATALOGUES = sorted(p for p in ROOT.glob("*/locale/tr/LC_MESSAGES/django.po") if ".venv" not in p.parts)
CATALOGUES += [ROOT / "locale/tr/LC_MESSAGES/django.po"]


def test_turkish_catalogue_exists():
    # then
    assert ROOT / "locale/tr/LC_MESSAGES/django.po" in CATALOGUES


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_turkish_catalogue_is_complete(path):
    # when
    catalogue = polib.pofile(str(path))
    # then
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_turkish_catalogue_is_compiled(path):
    # given
    compiled = path.with_suffix(".mo")
    # then
    assert compiled.exists()
    assert {e.msgid: e.msgstr for e in polib.mofile(str(compiled)) if e.msgid} == {
        e.msgid: e.msgstr for e in polib.pofile(str(path)).translated_entries() if not e.msgid_plural
    } | {e.msgid: e.msgstr for e in polib.mofile(str(compiled)) if e.msgid_plural}


# The words of the seed table (docs/seed/netcad-sla-packages.tr.txt), one Turkish word per thing.
def _turkish() -> list[polib.POEntry]:
    return [entry for path in CATALOGUES for entry in polib.pofile(str(path)) if entry.msgstr]


def test_onboarding_is_ilk_karsilama_everywhere():
    # when
    onboarding = [
        e for e in _turkish() if "onboarding" in e.msgid.lower() or "welcome service" in e.msgid.lower()
    ]
    # then
    assert onboarding
    assert [e.msgid for e in onboarding if "İlk Karşılama" not in e.msgstr] == []
    assert [e.msgid for e in _turkish() if "hoş geldin " in e.msgstr.lower()] == []


def test_workshops_have_one_turkish_word():
    # when
    workshops = [e for e in _turkish() if "workshop" in e.msgid.lower()]
    # then: the seed's "Workshop", never "çalıştay" or "atölye"
    assert workshops
    assert [e.msgid for e in workshops if "workshop" not in e.msgstr.lower()] == []
    assert [
        e.msgid for e in _turkish() if "çalıştay" in e.msgstr.lower() or "atölye" in e.msgstr.lower()
    ] == []


def test_kayit_never_stands_alone_for_a_recording_or_a_registration():
    # given: a recording is a "video kaydı", a registration a "katılım kaydı"
    recordings = [e for e in _turkish() if "recording" in e.msgid.lower()]
    registrations = [
        e for e in _turkish() if e.msgid.lower() in {"registration", "registrations", "registered at"}
    ]
    # then
    assert [
        e.msgid for e in recordings if "kay" in e.msgstr.lower() and "video" not in e.msgstr.lower()
    ] == []
    assert [e.msgid for e in registrations if "katılım" not in e.msgstr.lower()] == []
