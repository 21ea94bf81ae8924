from django.conf import settings
from django.db import models


class IdempotencyRecord(models.Model):
    """The first answer to a POST that carried an Idempotency-Key, replayed for retries. The
    request's fingerprint binds the key to what was sent: the same key with another body is a
    client error, not a retry. Kept for IDEMPOTENCY_RETENTION, then purged by beat."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    scope = models.CharField(max_length=200, help_text="The endpoint the key was used on.")
    request_hash = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the request's content.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "key", "scope"], name="idempotency_once"),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]
