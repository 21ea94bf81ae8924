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
