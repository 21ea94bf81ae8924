from django.middleware.locale import LocaleMiddleware


class TurkishFirstLocaleMiddleware(LocaleMiddleware):
    """The web pages speak Turkish until the person picks English with the language switch (a
    cookie); a browser's Accept-Language is not taken as that choice. The API keeps negotiating by
    Accept-Language, which the mobile apps set to the phone's language."""

    def process_request(self, request):
        if not request.path_info.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
