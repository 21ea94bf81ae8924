"""The application servers' entry point for WSGI (slaportal.servers says which settings)."""

from django.core.wsgi import get_wsgi_application

from slaportal.servers import server_setup

server_setup()
application = get_wsgi_application()
