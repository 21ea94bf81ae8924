"""Passwords for the apps, as the web's `/accounts/password_change/` and
`/accounts/password_reset/…`: change one's own (the app gets a fresh token, every other device is
signed out), ask for the reset e-mail, and set a new password with its link."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from organizations.passwords import password_change, password_reset_confirm, password_reset_request
from slaportal.api.errors import error_responses
from slaportal.api.services import api_token_issue, api_token_revoke
from slaportal.api.throttles import LoginThrottle

from .serializers import TokenSerializer


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    new_password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class PasswordResetSerializer(serializers.Serializer):
    email = serializers.EmailField()


class PasswordResetConfirmSerializer(serializers.Serializer):
    uid = serializers.CharField(help_text="The `uidb64` part of the reset e-mail's link.")
    token = serializers.CharField(help_text="The token part of the reset e-mail's link.")
    new_password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_password_change",
        summary="Change my password",
        description=(
            "The old password must match (422 on `old_password`) and the new one pass the password rules "
            "(422 on `new_password`). The answer carries a new app token: the old one, and so every other "
            "device and every signed URL, stops working."
        ),
        request=PasswordChangeSerializer,
        responses={200: TokenSerializer, **error_responses(400, 422)},
    )
    def post(self, request):
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password_change(actor=request.user, **serializer.validated_data)
        api_token_revoke(actor=request.user)
        return Response({"token": api_token_issue(actor=request.user).key})


class _SignedOutView(APIView):
    """For people who cannot sign in: no authentication read, throttled like signing in."""

    permission_classes = [AllowAny]
    authentication_classes = []

    def get_throttles(self):
        return [LoginThrottle(), *super().get_throttles()]


class PasswordResetView(_SignedOutView):
    @extend_schema(
        operation_id="auth_password_reset",
        summary="Ask for the password reset e-mail",
        description=(
            "Sends the web's reset e-mail to the active people with this address. Always 202, so the "
            "answer does not tell whether the address is known; throttled per address."
        ),
        request=PasswordResetSerializer,
        responses={202: OpenApiResponse(description="Accepted."), **error_responses(400, 429)},
        auth=[],
    )
    def post(self, request):
        serializer = PasswordResetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password_reset_request(email=serializer.validated_data["email"], request=request._request)
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(_SignedOutView):
    @extend_schema(
        operation_id="auth_password_reset_confirm",
        summary="Set a new password with the reset e-mail's link",
        description=(
            "`uid` and `token` from the link; the link works once (422 on `token` otherwise), the new "
            "password must pass the password rules (422 on `new_password`). Sign in afterwards."
        ),
        request=PasswordResetConfirmSerializer,
        responses={204: OpenApiResponse(description="Set."), **error_responses(400, 422, 429)},
        auth=[],
    )
    def post(self, request):
        serializer = PasswordResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password_reset_confirm(**serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)
