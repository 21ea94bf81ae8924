"""Suggestions while a ticket is written, deflections, and the desk's solution articles.

Suggestions are ranked by learning.ranking within what the person may be offered; a deflection and
an article are written by learning.articles."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from learning import articles, ranking
from learning.models import SuggestionEntry
from learning.quota_line import quota_line, written_quota_for
from learning.selectors import article_get_for_desk, article_list_for_desk, product_by_code
from organizations.permissions import is_desk
from slaportal.api.errors import error_responses
from tickets.selectors import ticket_get_visible

from .serializers import ArticleSerializer


class QuestionSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200, allow_blank=True, trim_whitespace=True)
    description = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    product = serializers.SlugField(
        max_length=40, required=False, allow_null=True, help_text="A product code, as when filing."
    )


class SuggestionResultSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SuggestionEntry.Kind.values)
    id = serializers.IntegerField()
    title = serializers.CharField()
    snippet = serializers.CharField()
    url = serializers.CharField()
    score = serializers.FloatField()


class SuggestionQuotaSerializer(serializers.Serializer):
    channel = serializers.CharField()
    remaining = serializers.IntegerField(allow_null=True, help_text="null: no limit on the channel.")
    allotment = serializers.IntegerField(allow_null=True)
    line = serializers.CharField(help_text="The sentence shown under the suggestions, translated.")


def _question(request) -> dict:
    serializer = QuestionSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _object_id(value) -> int | None:
    """A path's id as a row id; None for anything else (a malformed id is the same 404 as a missing one)."""
    text = str(value)
    return int(text) if text.isdigit() and len(text) <= 12 else None


def _product_id(code: str | None) -> int | None:
    if not code:
        return None
    product = product_by_code(code=code)
    if product is None:
        raise ValidationError({"product": [_("Unknown product.")]})
    return product.pk


@extend_schema(
    summary="Suggestions for a question being written",
    description=(
        "The five best answers for the subject and description typed so far: published solution "
        "articles and library items the contract reads, and the institution's own resolved tickets "
        "the person may see (never another institution's). `quota` is the written channel's units "
        "left (`remaining` null: no limit) with the translated line shown under the suggestions."
    ),
    request=QuestionSerializer,
    responses={
        200: inline_serializer(
            "SuggestionList",
            {"results": SuggestionResultSerializer(many=True), "quota": SuggestionQuotaSerializer()},
        ),
        **error_responses(400),
    },
)
class SuggestionListView(APIView):
    def post(self, request):
        data = _question(request)
        scope = ranking.suggestion_scope_for(person=request.user)
        results = ranking.suggestion_list_for(
            scope=scope,
            subject=data["subject"],
            description=data["description"],
            product_id=_product_id(data.get("product")),
        )
        quota = written_quota_for(person=request.user)
        return Response(
            {
                "results": [
                    {
                        "kind": s.kind,
                        "id": s.id,
                        "title": s.title,
                        "snippet": s.snippet,
                        "url": s.url,
                        "score": s.score,
                    }
                    for s in results
                ],
                "quota": {**quota, "line": quota_line(quota)},
            }
        )


@extend_schema(
    summary="This answered my question",
    description=(
        "Records a deflection: the question was answered by the suggestion, no ticket is filed and "
        "no unit drawn. Counted once per person and question: 201 the first time, 200 with the same "
        "record after. Customer side; 404 for an answer the person is not offered."
    ),
    parameters=[
        OpenApiParameter("kind", OpenApiTypes.STR, OpenApiParameter.PATH, enum=SuggestionEntry.Kind.values),
        OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH),
    ],
    request=QuestionSerializer,
    responses={
        201: inline_serializer(
            "Deflection", {"id": serializers.IntegerField(), "counted": serializers.BooleanField()}
        ),
        **error_responses(400, 403, 404),
    },
)
class SuggestionHelpfulView(APIView):
    def post(self, request, kind, id):
        if kind not in SuggestionEntry.Kind.values or _object_id(id) is None:
            raise Http404
        data = _question(request)
        scope = ranking.suggestion_scope_for(person=request.user)
        if ranking.suggestion_entry_get_for(scope=scope, kind=kind, pk=int(id)) is None:
            raise Http404
        deflection, created = articles.deflection_record(
            actor=request.user,
            kind=kind,
            object_id=int(id),
            subject=data["subject"],
            description=data["description"],
        )
        return Response(
            {"id": deflection.pk, "counted": created},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ArticleCreateSerializer(serializers.Serializer):
    ticket = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="The resolved ticket the article answers."
    )
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    question = serializers.CharField(required=False, allow_blank=True, default="")
    answer = serializers.CharField(required=False, allow_blank=True, default="")


def _require_desk(request) -> None:
    if not is_desk(request.user):
        raise PermissionDenied(_("Only the support desk writes solution articles."))


@extend_schema(tags=["articles"])
class ArticleListView(APIView):
    @extend_schema(
        summary="Solution articles (desk)",
        description="Drafts and published articles, newest first. Customers read published ones in /api/v1/library/.",
        responses={200: ArticleSerializer(many=True), **error_responses(403)},
    )
    def get(self, request):
        _require_desk(request)
        return Response(ArticleSerializer(article_list_for_desk()[:200], many=True).data)

    @extend_schema(
        summary="Draft an article from a resolved ticket (desk)",
        description=(
            "Unpublished until `publish`. Title, question and answer default to the ticket's subject, its "
            "description without the institution's names, and the desk's last public reply."
        ),
        request=ArticleCreateSerializer,
        responses={201: ArticleSerializer, **error_responses(400, 403, 404, 422)},
    )
    def post(self, request):
        _require_desk(request)
        serializer = ArticleCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        ticket = ticket_get_visible(person=request.user, pk=data["ticket"])
        if ticket is None:
            raise Http404
        item = articles.article_create_from_ticket(
            actor=request.user,
            ticket=ticket,
            title=data["title"],
            question=data["question"],
            answer=data["answer"],
        )
        return Response(ArticleSerializer(item).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["articles"],
    summary="Publish an article (desk)",
    description="After review: customers read it in the library and it is suggested. Publishing again changes nothing.",
    parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    request=None,
    responses={200: ArticleSerializer, **error_responses(403, 404)},
)
class ArticlePublishView(APIView):
    def post(self, request, id):
        _require_desk(request)
        item = article_get_for_desk(pk=_object_id(id)) if _object_id(id) else None
        if item is None:
            raise Http404
        item = articles.article_publish(actor=request.user, item=item)
        return Response(ArticleSerializer(item).data)


class ArticleUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    question = serializers.CharField()
    answer = serializers.CharField()


@extend_schema(
    tags=["articles"],
    summary="Save an article's next version (desk)",
    description="Title, question and answer as reviewed; a published article stays published.",
    parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    request=ArticleUpdateSerializer,
    responses={200: ArticleSerializer, **error_responses(400, 403, 404)},
)
class ArticleDetailView(APIView):
    def patch(self, request, id):
        _require_desk(request)
        item = article_get_for_desk(pk=_object_id(id)) if _object_id(id) else None
        if item is None:
            raise Http404
        serializer = ArticleUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        item = articles.article_update(
            actor=request.user,
            item=item,
            title=data["title"],
            question=data["question"],
            answer=data["answer"],
        )
        return Response(ArticleSerializer(item).data)
