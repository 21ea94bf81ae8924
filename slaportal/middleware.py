from django.middleware.locale import LocaleMiddleware


class TurkishFirstLocaleMiddleware(LocaleMiddleware):
    """The web pages speak Turkish until the person picks English with the language switch (a
    cookie); a browser's Accept-Language is not taken as that choice. The API keeps negotiating by
    Accept-Language, which the mobile apps set to the phone's language."""

    def process_request(self, request):
        if not request.path_info.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)


class QueryCountMiddleware:
    """Adds `X-Query-Count`, the SQL statements the request ran, to every response. Installed only
    when the QUERY_COUNT_HEADER setting is on (the HTTP benchmark turns it on for its own server):
    a production response should not describe the work behind it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.db import connection

        count = 0

        def counted(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            response = self.get_response(request)
        response["X-Query-Count"] = str(count)
        return response
