FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# Pango and fonts with every Turkish letter, for the PDF quotes WeasyPrint renders; OpenLDAP's
# client library (and, to build python-ldap, its headers and a compiler) for directory sign-in.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    libldap-2.5-0 libsasl2-2 libldap2-dev libsasl2-dev gcc \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml ./
COPY . .
# Each step on its own line and nothing swallowing its exit status: a failed install fails the build.
RUN pip install --no-cache-dir ".[ldap]"
# collectstatic reads no database or secret; the local settings are enough to run it at build time.
RUN DJANGO_SETTINGS_MODULE=slaportal.settings.local python manage.py collectstatic --noinput -v 0
EXPOSE 8000
CMD ["gunicorn", "slaportal.wsgi", "-c", "python:slaportal.gunicorn_conf", "-b", "0.0.0.0:8000", "-w", "4", "--threads", "4"]
