"""The catalogue data migration against every figure of the original Turkish seed table."""

from pathlib import Path

import pytest

from packages.models import Channel, PackageChannel

SEED = Path(__file__).resolve().parents[2] / "docs" / "seed" / "netcad-sla-packages.tr.txt"
CODES = ["standard", "professional", "premium", "premium_plus"]
CHANNEL_ROWS = {
    "Yazılı Teknik Destek": Channel.WRITTEN,
    "Telefon ile Teknik Destek": Channel.PHONE,
    "Canlı Uzaktan Destek": Channel.REMOTE,
    "Yerinde Teknik Destek ve Eğitim": Channel.ONSITE_DAYS,
    "Kurum/Kuruluş Özel Workshop Uygulamaları": Channel.WORKSHOPS,
}
FEATURE_ROWS = {
    "İlk Karşılama Hizmeti": "has_onboarding",
    "365 Gün 08.00-24.00 İnternetten Kesintisiz SLA Hizmetleri": "has_online_service",
    "WEB ve IOS Android Mobil Uygulamalarından Kesintisiz SLA Hizmetleri": "has_mobile_apps",
    "Ürün Geliştirme Süreçlerine Direk Katılım": "has_development_participation",
    "Sürekli Ölçme & Değerlendirme & Raporlama ile Müşteri Memnuniyeti Takibi": "has_satisfaction_tracking",
    "Kurum Personel Performans Takibi": "has_performance_tracking",
    "Kurum Bölge Bazlı Organizasyon Yönetimi": "has_region_management",
    "Online Eğitim Programları": "has_unlimited_online_training",
    "Yardım Dokümanları ve Videolar": "has_help_documents",
    "Proje Uygulama Dokümanları ve Veri setleri": "has_project_documents",
}


def seed_table() -> dict[str, list[str]]:
    """Rows of the seed's package table: label → one cell per package (merged cells repeated)."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Kullanıcı Sayısı\t"))
    table = {}
    for line in lines[start:]:
        label, *cells = line.split("\t")
        cells = [cell.strip() for cell in cells]
        # A cell spanning Standard and Professional leaves the next one empty.
        cells = [cell or cells[i - 1] for i, cell in enumerate(cells)]
        table[label.strip()] = cells
    return table


def parse_range(cell: str) -> tuple[int, int | None]:
    cell = cell.replace(" ", "")
    if cell.endswith("+"):
        return int(cell[:-1]), None
    if "-" in cell:
        low, high = cell.split("-")
        return int(low), int(high)
    return int(cell), int(cell)


def test_seed_table_has_the_four_packages_and_every_row():
    # when
    table = seed_table()
    # then
    assert len(table) == 18
    assert all(len(cells) == 4 for cells in table.values())


@pytest.mark.django_db
@pytest.mark.parametrize("index,code", list(enumerate(CODES)))
def test_user_range_matches_seed(catalogue, index, code):
    # given
    expected = parse_range(seed_table()["Kullanıcı Sayısı"][index])
    # then
    package = catalogue[code]
    assert (package.users_min, package.users_max) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("index,code", list(enumerate(CODES)))
@pytest.mark.parametrize("label,channel", list(CHANNEL_ROWS.items()))
def test_channel_terms_match_seed(catalogue, index, code, label, channel):
    # given
    cell = seed_table()[label][index]
    term = catalogue[code].channels.get(channel=channel)
    # then
    if cell == "Sınırsız":
        assert term.is_unlimited and term.is_included
    elif cell == "✗":
        assert term.pricing == PackageChannel.Pricing.NOT_OFFERED and not term.is_included
    elif "fiyatlandırılır" in cell:
        assert term.pricing == PackageChannel.Pricing.PER_DAY and not term.is_included
    else:
        assert (term.minimum, term.maximum) == parse_range(cell)
        assert term.is_included and not term.is_unlimited


@pytest.mark.django_db
@pytest.mark.parametrize("index,code", list(enumerate(CODES)))
def test_priority_and_first_response_match_seed(catalogue, index, code):
    # given
    table = seed_table()
    # then
    assert catalogue[code].priority == int(table["Teknik Destek Önceliği"][index])
    assert catalogue[code].first_response_minutes == int(
        table["Teknik Destek Taleplerine Maksimum Dönüş Süresi"][index].removesuffix(" dk")
    )


@pytest.mark.django_db
@pytest.mark.parametrize("index,code", list(enumerate(CODES)))
@pytest.mark.parametrize("label,field", list(FEATURE_ROWS.items()))
def test_feature_flags_match_seed(catalogue, index, code, label, field):
    # given
    cell = seed_table()[label][index]
    # then
    assert getattr(catalogue[code], field) is (cell in ("✓", "Sınırsız"))


@pytest.mark.django_db
@pytest.mark.parametrize("code", CODES)
def test_service_window_is_eight_to_midnight_istanbul(catalogue, code):
    # then
    package = catalogue[code]
    assert package.service_window_start.strftime("%H:%M") == "08:00"
    assert package.service_window_end.strftime("%H:%M") == "00:00"
    assert package.service_timezone == "Europe/Istanbul"


@pytest.mark.django_db
def test_families_group_silver_and_gold(catalogue):
    # then
    assert [catalogue[code].family for code in CODES] == ["silver", "silver", "gold", "gold"]
