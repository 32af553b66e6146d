"""API token services."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import User

from spysystem.api.models import ApiToken


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_create(*, user: User) -> str:
    """Create a token for ``user`` and return it; it cannot be retrieved again."""
    token = "spy_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=token_digest(token), prefix=token[:8])
    return token
