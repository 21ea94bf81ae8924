FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . && python manage.py collectstatic --noinput -v 0 || true
EXPOSE 8000
CMD ["gunicorn", "slaportal.wsgi", "-b", "0.0.0.0:8000", "-w", "4", "--threads", "4"]
