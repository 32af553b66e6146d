"""Who may call the API: bearer tokens (``Authorization: Bearer <token>``). What each user may
do (roles, company scope) is in ``access``.

Only the SHA-256 digest of a token is stored (``ApiToken.digest``), so a token is looked up by the
digest of what the client sends. ``last_used_at`` is written at most once a minute per token, with
a single guarded ``UPDATE``, so authentication stays one indexed read on the hot path.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from spysystem.api.models import ApiToken
from spysystem.api.services import token_digest

KEYWORD = b"bearer"
LAST_USED_RESOLUTION = timedelta(minutes=1)


class BearerTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>`` → ``(user, ApiToken)``.

    No ``Authorization`` header, or another scheme → ``None`` (the next authenticator is tried).
    A malformed header, an unknown token or an inactive user → 401 with a Portuguese message.
    """

    def authenticate(self, request: Request) -> tuple[object, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Cabeçalho Authorization inválido: use “Bearer <token>”."))
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise AuthenticationFailed(_("Token inválido.")) from exc
        return self._authenticate_token(token)

    def _authenticate_token(self, token: str) -> tuple[object, ApiToken]:
        row = ApiToken.objects.select_related("user").filter(digest=token_digest(token)).first()
        if row is None:
            raise AuthenticationFailed(_("Token inválido."))
        if not row.user.is_active:
            raise AuthenticationFailed(_("Usuário inativo."))
        _touch(row)
        return row.user, row

    def authenticate_header(self, request: Request) -> str:
        """Makes unauthenticated requests answer 401 (with this challenge) instead of 403."""
        return 'Bearer realm="api"'


def _touch(row: ApiToken) -> None:
    now = timezone.now()
    if row.last_used_at and now - row.last_used_at < LAST_USED_RESOLUTION:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ApiToken.objects.filter(stale, pk=row.pk).update(last_used_at=now)
    row.last_used_at = now
