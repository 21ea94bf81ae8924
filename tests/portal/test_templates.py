"""The shared field template (templates/includes/field.html): errors tied to their fields."""

import re

import pytest
from django import forms
from django.template.loader import render_to_string

from tests.clients import login


@pytest.mark.django_db
def test_refused_filing_ties_the_error_to_its_field_and_keeps_the_text(browser_client, customer):
    # given
    login(browser_client, customer)
    # when
    page = browser_client.post(
        "/tickets/new/", {"kind": "problem", "subject": "", "description": "Kept."}
    ).content.decode()
    # then
    subject = re.search(r"<input[^>]*name=\"subject\"[^>]*>", page).group(0)
    assert 'aria-invalid="true"' in subject
    assert 'aria-describedby="id_subject_error"' in subject
    assert re.search(r'<ul class="errorlist" id="id_subject_error"><li>[^<]+</li>', page)
    assert '<label for="id_subject">' in page
    assert re.search(r">\s*Kept\.</textarea>", page)


def test_a_group_of_choices_is_a_fieldset_with_a_legend_described_by_its_error():
    # given
    class Form(forms.Form):
        channel = forms.ChoiceField(
            label="Channel", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect, help_text="Pick one"
        )

    # when
    html = render_to_string("includes/form.html", {"form": Form(data={})})
    # then
    assert '<fieldset aria-describedby="id_channel_helptext id_channel_error">' in html
    assert "<legend>Channel" in html
    assert '<label for="">' not in html
