"""The OpenAPI document (drf-spectacular): its settings, the bearer scheme and the schema class.

The published document is for integrators, so it is in Portuguese: the code's (English)
docstrings are not copied into it; operations and components carry Portuguese text given
explicitly (``extend_schema(description=...)``, ``schema_description`` on a serializer).

The extension is registered when the app is ready (``ApiConfig.ready``); it is kept apart from
``auth`` because importing drf-spectacular there would import DRF's views while DRF itself is
still loading the authentication classes.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Documents ``BearerTokenAuthentication`` as the HTTP bearer scheme."""

    target_class = "spysystem.api.auth.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Token criado com `spy token create USUÁRIO`: "
            "`Authorization: Bearer <token>`.",
        }


DESCRIPTION = """API REST do Spy System (contrato público: caminhos e campos não mudam de nome).

Autenticação: `Authorization: Bearer <token>` em todas as chamadas, inclusive neste documento.
Papéis: administrador (tudo); financeiro (lê e altera títulos, pessoas, e-mails e boletos; sem
configurações); somente consulta (apenas `GET`). Configurações (`spy/recipients`, `smtp/*`,
`templates`, `routine-settings`, `settings-changes`) exigem administrador, inclusive na leitura;
alterações de empresas, usuários, contas bancárias e tarefas também. Sem permissão: 403.
Um usuário limitado a algumas empresas só vê os registros delas; o de outra empresa responde 404,
e criar um título para ela responde 400 no campo `company`.

Convenções: referências por id (`"company": 3`), datas `AAAA-MM-DD`, valores como texto decimal
(`"1234.56"`), carteira `payable` (a pagar) ou `receivable` (a receber). Listas paginadas com
`limit`/`offset`. Erros de validação: 400 `{"campo": ["mensagem"]}`; conflito de estado: 409.
"""

SCHEMA_SETTINGS = {
    "DESCRIPTION": DESCRIPTION,
    "ENUM_NAME_OVERRIDES": {
        "TitleStatusEnum": "spysystem.finance.models.TitleStatus",
        "MessageStatusEnum": "spysystem.mail.models.MessageStatus",
        "RoutineEnum": "spysystem.mail.models.Routine",
        "RoutedRoutineEnum": "spysystem.api.serializers.ROUTED_ROUTINES",
        "SmtpLevelEnum": "spysystem.mail.models.SmtpLevel",
    },
}


class SpyAutoSchema(AutoSchema):
    """``AutoSchema`` that publishes only the Portuguese descriptions given on purpose.

    A view's ``id_description`` documents the ``{id}`` path parameter of its detail routes.
    """

    def get_description(self) -> str:
        return ""

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        label = getattr(self.view, "id_description", "")
        if label and "{id}" in self.path:
            parameters.append(
                OpenApiParameter("id", int, OpenApiParameter.PATH, description=str(label))
            )
        return parameters

    def _map_basic_serializer(self, serializer: Any, direction: str) -> dict[str, Any]:
        schema = super()._map_basic_serializer(serializer, direction)
        schema.pop("description", None)
        description = getattr(serializer, "schema_description", "")
        if description:
            schema["description"] = str(description)
        return schema
