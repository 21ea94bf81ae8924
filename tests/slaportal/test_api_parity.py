"""The parity table of docs/api.md against the web's URL configuration and the API's schema: every
web route has a row (or is named as not a person's action), and every operation a row names exists."""

import re
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
# Routes that are not the web's pages: the API itself, the admin, language switch, health checks.
NOT_WEB = ("api/", "admin/", "i18n/", "health/")


def _web_route_names() -> set[str]:
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.name

    return {name for route, name in walk(get_resolver().url_patterns) if not route.startswith(NOT_WEB)}


def _section() -> str:
    text = DOC.read_text()
    return text.split("## Parity with the web", 1)[1].split("\n## ", 1)[0]


def _rows() -> dict[str, list[tuple[str, str]]]:
    """{web route name: [(method, path), ...]} from the table."""
    rows: dict[str, list[tuple[str, str]]] = {}
    for line in _section().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        operations = re.findall(r"`(GET|POST|PATCH|PUT|DELETE) (/api/v1/[^`\s]*)`", cells[2])
        for name in re.findall(r"`([^`]+)`", cells[0]):
            rows[name] = operations
    return rows


def _not_actions() -> set[str]:
    """The routes that are not a person's action (webhooks, the web app's own files)."""
    return set(re.findall(r"`([a-z_-]+)`", _section().split("Not a person's action", 1)[1]))


def test_every_web_route_has_a_row_or_is_not_a_persons_action():
    # when
    missing = _web_route_names() - set(_rows()) - _not_actions()
    # then
    assert missing == set()


def test_no_row_is_empty():
    # then
    assert [name for name, operations in _rows().items() if not operations] == []


def test_every_operation_in_the_table_exists_in_the_schema():
    # given
    schema = SchemaGenerator().get_schema(request=None, public=True)
    # when
    unknown = [
        (name, method, path)
        for name, operations in _rows().items()
        for method, path in operations
        if method.lower() not in schema["paths"].get(path, {})
    ]
    # then
    assert unknown == []


def test_the_table_names_no_route_the_web_does_not_have():
    # then
    assert (set(_rows()) | _not_actions()) - _web_route_names() == set()
