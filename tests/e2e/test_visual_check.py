"""The layout check of tests/e2e/visual.py finds what it looks for, on a page made with each fault."""

import pytest

from tests.e2e.visual import layout_problems

pytestmark = pytest.mark.browser


def test_the_check_finds_overflow_overlap_and_an_unlabelled_cell(browser):
    # given a page with each fault, at phone width
    page = browser.new_page(viewport={"width": 390, "height": 600})
    page.set_content(
        """<html lang="en"><body style="margin:0">
        <div style="width:500px">wide</div>
        <p><a href="#" style="position:relative">one</a><a href="#" style="position:relative;left:-20px">two</a></p>
        <style>@media (max-width: 700px) { thead { display: none } td { display: block } }</style>
        <table><thead><tr><th>Figure</th></tr></thead><tbody><tr><td>0</td></tr></tbody></table>
        </body></html>"""
    )
    # when
    problems = layout_problems(page)
    page.close()
    # then
    assert any("500 px wide" in p or "wide in a 390 px window" in p for p in problems), problems
    assert any("overlaps" in p and '"one"' in p and '"two"' in p for p in problems), problems
    assert any("without its header's label" in p for p in problems), problems
