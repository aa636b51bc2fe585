"""Who may read exact data, and the record that they did: API keys and the audit trail."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

KEY_PREFIX = "bco_"


def _digest(key: str) -> str:
    # The key is 256 random bits, so one SHA-256 suffices (as for GitHub tokens): nothing to brute-force.
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKeyManager(models.Manager):
    def issue(self, user, label: str = "") -> tuple[ApiKey, str]:
        """A new key for ``user``: the stored row and the key itself, which is shown once and never stored."""
        lookup = secrets.token_hex(4)
        key = f"{KEY_PREFIX}{lookup}_{secrets.token_urlsafe(32)}"
        return self.create(user=user, label=label, lookup=lookup, digest=_digest(key)), key

    def verify(self, key: str) -> ApiKey | None:
        """The live key row matching ``key`` (its user active), or None; marks it used."""
        if not key.startswith(KEY_PREFIX) or key.count("_") < 2:
            return None
        lookup = key[len(KEY_PREFIX):].split("_", 1)[0]
        row = self.select_related("user").filter(lookup=lookup, revoked_at__isnull=True, user__is_active=True).first()
        if row is None or not hmac.compare_digest(row.digest, _digest(key)):
            return None
        self.filter(pk=row.pk).update(last_used_at=timezone.now())
        return row


class ApiKey(models.Model):
    """A key a GIS client sends in the ``X-API-Key`` header (QGIS: Authentication > API Header).

    Only a digest is stored, so a copy of the database does not hand out working keys;
    ``lookup`` (the key's first characters, not secret) finds the row.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    label = models.CharField(max_length=100, blank=True, help_text="What the key is for, e.g. 'QGIS on the crime desk'.")
    lookup = models.CharField(max_length=8, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyManager()

    class Meta:
        verbose_name = "API key"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{KEY_PREFIX}{self.lookup}… ({self.user})"


class AuditRecord(models.Model):
    """One request that returned exact (analyst) data. Append-only: a database trigger
    (migration 0007) refuses UPDATE and DELETE, and the only permission is ``view``."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                             help_text="Users with audit records cannot be deleted: deactivate them instead.")
    username = models.CharField(max_length=150, help_text="Kept as text too, as it was at the time.")
    auth_method = models.CharField(max_length=16, help_text="session, basic or api-key.")
    client_address = models.GenericIPAddressField(null=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=2000)
    query_string = models.TextField(blank=True)
    collection = models.CharField(max_length=200, help_text="The collection or layer read.")
    filters = models.JSONField(default=dict, blank=True, help_text="The filter applied (offence, dates, run, ...).")
    bbox = models.JSONField(null=True, blank=True, help_text="[minx, miny, maxx, maxy] in WGS84, if one was given.")
    feature_count = models.PositiveIntegerField()

    class Meta:
        ordering = ["-at"]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} read {self.feature_count} from {self.collection}"
