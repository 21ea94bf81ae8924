import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient


def test_schema_generates_without_warnings_or_errors(tmp_path):
    # when / then: --fail-on-warn turns any warning into an error
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")


def _operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_authenticated_operation_documents_401_and_429():
    # when
    missing = [
        (path, method)
        for path, method, operation in _operations()
        if operation.get("security") and not {"401", "429"} <= set(operation["responses"])
    ]
    # then
    assert missing == []


def test_every_operation_on_one_object_documents_404():
    # when
    missing = [
        (path, method)
        for path, method, operation in _operations()
        if "{" in path and "404" not in operation["responses"]
    ]
    # then
    assert missing == []


def test_every_error_response_has_the_one_error_shape():
    # when
    shapes = {
        operation["responses"][code]["content"]["application/json"]["schema"]["$ref"]
        for _path, _method, operation in _operations()
        for code in operation["responses"]
        if code.startswith(("4", "5"))
    }
    # then
    assert shapes == {"#/components/schemas/Error"}


def test_every_operation_has_a_summary():
    # then
    assert [(p, m) for p, m, operation in _operations() if not operation.get("summary")] == []


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_schema_and_docs_are_served(url):
    # when
    response = APIClient().get(url)
    # then
    assert response.status_code == 200


def test_every_operation_documents_429():
    # then
    assert [(p, m) for p, m, operation in _operations() if "429" not in operation["responses"]] == []
