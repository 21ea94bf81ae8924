import struct

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _png_width(path) -> int:
    return struct.unpack(">I", path.read_bytes()[16:20])[0]


def test_screenshots_command_saves_phone_width_pages(demo, chromium_path, live_server, tmp_path):
    # when
    call_command(
        "screenshots",
        out=str(tmp_path),
        base_url=live_server.url,
        chromium=chromium_path,
        sample_tickets=True,
        docs=str(tmp_path / "docs"),
    )
    # then: 390 px wide; a full-page screenshot would be wider if anything overflowed the phone
    assert _png_width(tmp_path / "customer-home.png") == 390
    assert _png_width(tmp_path / "engineer-queue.png") == 390
    assert _png_width(tmp_path / "learning-calendar.png") == 390
    assert _png_width(tmp_path / "learning-library.png") == 390
    assert _png_width(tmp_path / "report-390.png") == 390
    assert _png_width(tmp_path / "report-1280.png") == 1280
    # and every role's main pages at both widths, and the small first screens for docs/web.md
    for role in ("customer", "engineer", "desk-lead", "institution-admin", "vendor-staff"):
        shots = sorted((tmp_path / "roles").glob(f"{role}-*.png"))
        assert {_png_width(shot) for shot in shots} == {390, 1280}, role
    assert _png_width(tmp_path / "roles" / "institution-admin-performance-1280.png") == 1280
    for page in ("home", "queue", "report", "performance"):
        for width in (390, 1280):
            shot = tmp_path / "docs" / f"{page}-{width}.png"
            assert _png_width(shot) == width and shot.stat().st_size < 150_000
