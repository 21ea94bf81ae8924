"""The application servers' entry point for ASGI (slaportal.servers says which settings)."""

from django.core.asgi import get_asgi_application

from slaportal.servers import server_setup

server_setup()
application = get_asgi_application()
