"""The report and the survey link in Chromium: the institution admin reads the report, sees the
charts, downloads the PDF and the Excel file; a customer answers a survey from the link in the
resolution e-mail."""

import io
import re
from urllib.parse import urlsplit

import openpyxl
import pypdf
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notifications.tasks import dispatch as notifications_dispatch
from organizations.models import User
from reports.models import Survey
from tests.e2e.conftest import log_in
from tickets.services import ticket_change_status, ticket_file, ticket_reply

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


def _resolved_ticket():
    customer = User.objects.get(username="premium-user1")
    engineer = User.objects.get(username="engineer1")
    ticket = ticket_file(actor=customer, subject="Harita katmanı açılmıyor", description="Boş ekran geliyor.")
    ticket_reply(actor=engineer, ticket=ticket, body="Önbelleği temizleyin, düzeldi.")
    return ticket_change_status(actor=engineer, ticket=ticket, status="resolved"), customer


def _this_week() -> str:
    today = timezone.localdate()
    return f"period=custom&start={today - timezone.timedelta(days=6):%Y-%m-%d}&end={today:%Y-%m-%d}"


@pytest.mark.parametrize("width", [1280, PHONE["width"]])
def test_admin_reads_the_report_sees_charts_and_downloads_the_files(demo, open_page, live_server, width):
    # given a ticket resolved this week
    _resolved_ticket()
    page = log_in(open_page(width=width, height=900), live_server, "premium-admin", "/")

    # when the admin opens the report for this week
    page.goto(f"{live_server.url}/reports/?{_this_week()}")

    # then the figures and the charts are there, drawn, and nothing overflows the width
    expect(page.locator("[data-figure=tickets_filed]")).to_contain_text("1")
    images = page.get_by_test_id("chart-img")
    expect(images.first).to_be_visible()
    assert images.count() >= 6
    page.wait_for_function(
        "Array.from(document.querySelectorAll('[data-testid=chart-img]')).every(i => i.complete && i.naturalWidth > 0)"
    )
    svg = page.request.get(live_server.url + images.first.get_attribute("src"))
    assert "<svg" in svg.text() and "<rect" in svg.text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    compliance = page.locator("[data-figure=first_response_compliance]").inner_text().split("\n")[0].strip()

    # and the PDF carries the institution's name and the compliance figure
    with page.expect_download() as pdf_download:
        page.get_by_test_id("download-pdf").click()
    text = "".join(p.extract_text() for p in pypdf.PdfReader(pdf_download.value.path()).pages)
    institution = User.objects.get(username="premium-admin").institution.name
    assert institution in text
    assert compliance in text

    # and the Excel file opens with its summary sheet
    with page.expect_download() as xlsx_download:
        page.get_by_test_id("download-xlsx").click()
    book = openpyxl.load_workbook(io.BytesIO(xlsx_download.value.path().read_bytes()))
    summary = {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert summary["Açılan talepler"] == 1


def test_customer_answers_the_survey_from_the_email_link_on_a_phone(demo, open_page, live_server, mailoutbox):
    # given the resolution e-mail, and in it the link that pre-selects 4
    ticket, customer = _resolved_ticket()
    notifications_dispatch()
    body = next(m.body for m in mailoutbox if m.to == [customer.email] and "/surveys/" in m.body)
    link = urlsplit(re.search(r"\S+/surveys/[^/\s]+/\?score=4", body).group(0))
    page = open_page(**PHONE)

    # when the customer opens it without logging in and sends it with a comment
    page.goto(f"{live_server.url}{link.path}?{link.query}")
    expect(page.locator("input[name=score][value='4']")).to_be_checked()
    page.fill("textarea[name=comment]", "Hızlı ve net bir çözüm.")
    page.get_by_role("button", name="Puanı gönder").click()

    # then the page thanks them and the answer is recorded
    expect(page.get_by_test_id("survey-thanks")).to_contain_text("4")
    survey = Survey.objects.get(ticket=ticket)
    assert (survey.score, survey.comment, survey.answered_via) == (4, "Hızlı ve net bir çözüm.", "link")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert re.search(r"/surveys/", page.url)
