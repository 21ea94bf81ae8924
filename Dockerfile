FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# Pango and fonts with every Turkish letter, for the PDF quotes WeasyPrint renders.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . && python manage.py collectstatic --noinput -v 0 || true
EXPOSE 8000
CMD ["gunicorn", "slaportal.wsgi", "-b", "0.0.0.0:8000", "-w", "4", "--threads", "4"]
