"""Shapes of the API's requests and answers. They check types and shapes only; the rules live in
the services, which the views call with ``serializer.validated_data`` (never ``save()``).

Conventions (a public contract, DESIGN.md §5): references by id, dates ``YYYY-MM-DD``, amounts as
decimal strings, ledgers ``payable``/``receivable``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from spysystem.api.access import OUT_OF_SCOPE, sees_company
from spysystem.finance.models import Company, Ledger, Party, Role, Title, TitleStatus
from spysystem.finance.validators import normalize_email_address
from spysystem.mail.models import MessageStatus, Routine, SmtpLevel, SmtpSecurity
from spysystem.routines.models import RunStatus
from spysystem.routines.services import ROUTINES as TEMPLATE_ROUTINES
from spysystem.watch.models import ChangeKind

AMOUNT_ERRORS = {
    "invalid": _("Informe um valor numérico, por exemplo “1234.56”."),
    "min_value": _("O valor deve ser maior que zero."),
    "max_digits": _("O valor tem dígitos demais (no máximo 14)."),
    "max_decimal_places": _("O valor pode ter no máximo 2 casas decimais."),
    "max_whole_digits": _("O valor tem dígitos demais antes da vírgula (no máximo 12)."),
    "max_string_length": _("O valor é longo demais."),
}
ROUTED_ROUTINES = [choice for choice in Routine.choices if choice[0] != Routine.TEST]


def _reference(queryset: Any, not_found: str, **kwargs: Any) -> serializers.PrimaryKeyRelatedField:
    """An id that must exist (``"company": 3``); ``not_found`` may use ``{pk_value}``."""
    messages = {
        "does_not_exist": not_found,
        "incorrect_type": _("Informe o id numérico (recebido: {data_type})."),
    }
    return serializers.PrimaryKeyRelatedField(queryset=queryset, error_messages=messages, **kwargs)


def _email_messages(values: list[str]) -> list[str]:
    # The services check addresses too, but without naming the field; checking here first lets
    # the answer say which field is wrong (same validator, same Portuguese message).
    messages: list[str] = []
    for value in values:
        try:
            normalize_email_address(value)
        except DjangoValidationError as exc:
            messages += exc.messages
    return messages


def _check_scope(serializer: serializers.Serializer, company: Company) -> Company:
    """A company the request's user may work with; 400 on the field otherwise."""
    if not sees_company(serializer.context.get("request"), company):
        raise serializers.ValidationError(OUT_OF_SCOPE % {"company": company.code})
    return company


def _check_email(value: str) -> str:
    messages = _email_messages([value]) if value else []
    if messages:
        raise serializers.ValidationError(messages)
    return value


# -- finance ---------------------------------------------------------------------------------


MAX_ID = 2**63 - 1  # ids beyond 64 bits are refused, not a database overflow


class CompanySerializer(serializers.Serializer):
    """A company. ``cnpj`` is accepted with punctuation and letters; it is answered normalized."""

    schema_description = _(
        "Empresa. `cnpj` aceita pontuação e o CNPJ alfanumérico; é devolvido sem pontuação."
    )

    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=200)
    cnpj = serializers.CharField(
        max_length=20, help_text=_("Numérico ou alfanumérico, com ou sem pontuação.")
    )


class CompanyFilterSerializer(serializers.Serializer):
    code = serializers.CharField(required=False)
    cnpj = serializers.CharField(required=False)


class EmailListField(serializers.ListField):
    """A party's addresses as a list of strings (read from the prefetched ``emails``)."""

    child = serializers.CharField(max_length=254)

    def get_attribute(self, instance: Party) -> list[str]:
        return instance.email_list


class PartySerializer(serializers.Serializer):
    """A customer or supplier. ``emails`` replaces the whole list when given."""

    schema_description = _("Pessoa (cliente ou fornecedor) com seus e-mails.")

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=200)
    document = serializers.CharField(
        max_length=20, help_text=_("CPF ou CNPJ, com ou sem pontuação.")
    )
    emails = EmailListField(default=list)
    aviso_opt_out = serializers.BooleanField(
        required=False, help_text=_("Não enviar o aviso de vencimento a esta pessoa.")
    )
    cobranca_opt_out = serializers.BooleanField(
        required=False, help_text=_("Não enviar o e-mail de cobrança a esta pessoa.")
    )

    def validate_emails(self, value: list[str]) -> list[str]:
        messages = _email_messages(value)
        if messages:
            raise serializers.ValidationError(messages)
        return value


class PartyFilterSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, help_text=_("Parte do nome."))
    document = serializers.CharField(required=False)


def user_role_and_companies(user: User) -> tuple[str, list[int]]:
    """The role and company ids of ``user`` as ``access_for`` sees them (``[]``: every company),
    read from the prefetched ``access`` row when there is one."""
    if user.is_staff:
        return Role.ADMIN, []
    access = getattr(user, "access", None)  # None when the user has no row
    if access is None:
        return Role.FINANCE, []
    return access.role, sorted(company.pk for company in access.companies.all())


class RoleField(serializers.ChoiceField):
    def get_attribute(self, instance: User) -> str:
        return user_role_and_companies(instance)[0]


class CompanyIdsField(serializers.ListField):
    child = serializers.IntegerField(min_value=1, max_value=MAX_ID)

    def get_attribute(self, instance: User) -> list[int]:
        return user_role_and_companies(instance)[1]


class UserSerializer(serializers.Serializer):
    """A user. ``username``, ``is_admin`` and ``password`` are set on creation only; ``role``
    and ``companies`` any time (``finance.services.user_access_set``)."""

    schema_description = _(
        "Usuário. `username`, `is_admin` e `password` só na criação; a senha nunca é devolvida. "
        "`role`: `admin` (tudo), `finance` (títulos e rotinas, sem configurações) ou `readonly` "
        "(somente consulta); `companies`: ids das empresas que vê (vazio = todas)."
    )

    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(max_length=150)
    email = serializers.CharField(max_length=254, allow_blank=True, default="")
    first_name = serializers.CharField(max_length=150, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=150, allow_blank=True, default="")
    is_active = serializers.BooleanField(default=True)
    is_admin = serializers.BooleanField(source="is_staff", default=False)
    password = serializers.CharField(
        write_only=True,
        required=False,
        trim_whitespace=False,
        max_length=128,
        style={"input_type": "password"},
        help_text=_("Somente na criação; sem senha o usuário não entra pela tela."),
    )
    role = RoleField(
        choices=Role.choices,
        required=False,
        help_text=_(
            "Papel: `admin`, `finance` ou `readonly`. `admin` torna o usuário administrador."
        ),
    )
    companies = CompanyIdsField(
        required=False,
        help_text=_("Ids das empresas que o usuário vê; vazio = todas (administrador: todas)."),
    )
    last_login = serializers.DateTimeField(read_only=True, allow_null=True)
    date_joined = serializers.DateTimeField(read_only=True)

    def validate_email(self, value: str) -> str:
        return _check_email(value)

    def validate_password(self, value: str) -> str:
        try:
            password_validation.validate_password(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        role, is_staff = attrs.get("role"), attrs.get("is_staff")
        if role is not None and is_staff is not None and is_staff != (role == Role.ADMIN):
            raise serializers.ValidationError(
                {"is_admin": [_("Não combina com o papel informado em “role”.")]}
            )
        if self.instance is not None:
            self._reject_create_only(self.instance, attrs)
        return attrs

    def _reject_create_only(self, user: User, attrs: dict[str, Any]) -> None:
        current = {"username": user.username, "is_staff": user.is_staff}
        checked = (("username", "username"),)
        if "role" not in attrs:  # the role may change is_admin; is_admin alone may not
            checked += (("is_admin", "is_staff"),)
        errors = {
            name: [_("Este campo só pode ser definido na criação do usuário.")]
            for name, source in checked
            if source in attrs and attrs[source] != current[source]
        }
        if "password" in attrs:
            errors["password"] = [_("A senha não pode ser alterada pela API.")]
        if errors:
            raise serializers.ValidationError(errors)


class UserFilterSerializer(serializers.Serializer):
    username = serializers.CharField(required=False)
    is_active = serializers.BooleanField(required=False, allow_null=True, default=None)


class TitleSerializer(serializers.Serializer):
    """One installment of a payable or receivable."""

    schema_description = _("Título (parcela) a pagar ou a receber.")

    id = serializers.IntegerField(read_only=True)
    ledger = serializers.ChoiceField(choices=Ledger.choices)
    company = _reference(Company.objects.all(), _("Empresa {pk_value} não encontrada."))
    party = _reference(Party.objects.all(), _("Pessoa {pk_value} não encontrada."))
    document = serializers.CharField(max_length=40)
    installment = serializers.IntegerField(min_value=1, max_value=32767, default=1)
    issue_date = serializers.DateField()
    due_date = serializers.DateField()
    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages=AMOUNT_ERRORS,
        help_text=_("Decimal em texto, com ponto: “1234.56”."),
    )
    status = serializers.ChoiceField(choices=TitleStatus.choices, default=TitleStatus.OPEN)
    description = serializers.CharField(max_length=500, allow_blank=True, default="")
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    updated_by = serializers.IntegerField(source="updated_by_id", read_only=True, allow_null=True)

    def validate_company(self, value: Company) -> Company:
        return _check_scope(self, value)


class TitleFilterSerializer(serializers.Serializer):
    company = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    ledger = serializers.ChoiceField(choices=Ledger.choices, required=False)
    status = serializers.ChoiceField(choices=TitleStatus.choices, required=False)
    due_from = serializers.DateField(required=False)
    due_to = serializers.DateField(required=False)
    party = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


# -- watch -----------------------------------------------------------------------------------


class LedgerRecipientsSerializer(serializers.Serializer):
    """The users of one ledger: a default list, and lists per company (``"<company id>"``)."""

    schema_description = _(
        "Usuários de uma carteira: `default` e, por empresa, `companies` (chave = id da empresa)."
    )

    default = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), default=list
    )
    companies = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID)),
        default=dict,
    )

    def validate_companies(self, value: dict[str, list[int]]) -> dict[str, list[int]]:
        bad = [key for key in value if not (str(key).isascii() and str(key).isdigit())]
        if bad:
            raise serializers.ValidationError(
                _("Id de empresa inválido: %(ids)s.") % {"ids": ", ".join(map(str, bad))}
            )
        return {str(int(key)): users for key, users in value.items()}


class RecipientsSerializer(serializers.Serializer):
    """Spy recipients. ``PUT`` replaces the ledgers it carries; an omitted ledger is kept."""

    schema_description = _(
        "Destinatários do Spy System por carteira; `warnings` (somente leitura) aponta problemas."
    )

    payable = LedgerRecipientsSerializer(required=False)
    receivable = LedgerRecipientsSerializer(required=False)
    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError(
                _("Informe ao menos uma carteira: “payable” ou “receivable”.")
            )
        return attrs


class ChangeSerializer(serializers.Serializer):
    """A captured change of a title (written by the database trigger)."""

    schema_description = _(
        "Alteração capturada de um título: valor, vencimento ou exclusão, com autor e origem."
    )

    id = serializers.IntegerField(read_only=True)
    title_id = serializers.IntegerField(read_only=True)
    company_id = serializers.IntegerField(read_only=True)
    ledger = serializers.ChoiceField(choices=Ledger.choices, read_only=True)
    kind = serializers.ChoiceField(choices=ChangeKind.choices, read_only=True)
    facts = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_("O que mudou: “amount”, “due_date” ou “deleted”."),
    )
    before = serializers.JSONField(read_only=True)
    after = serializers.JSONField(read_only=True, allow_null=True)
    actor = serializers.CharField(read_only=True)
    origin = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class ChangeFilterSerializer(serializers.Serializer):
    title = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    company = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    ledger = serializers.ChoiceField(choices=Ledger.choices, required=False)


# -- mail ------------------------------------------------------------------------------------


class SmtpSettingsSerializer(serializers.Serializer):
    """One level of SMTP settings. ``PUT`` replaces every field (omitted ones take the defaults)
    except ``password``: omitted keeps the stored one, ``""`` clears it. The password is never
    answered; ``has_password`` says whether one is stored."""

    schema_description = _(
        "Configurações SMTP de um nível. `password` só na escrita; `has_password` diz se há senha."
    )

    level = serializers.CharField(read_only=True)
    company = serializers.IntegerField(source="company_id", read_only=True, allow_null=True)
    host = serializers.CharField(max_length=255)
    port = serializers.IntegerField(default=587)
    security = serializers.ChoiceField(choices=SmtpSecurity.choices, default=SmtpSecurity.STARTTLS)
    username = serializers.CharField(max_length=255, allow_blank=True, default="")
    password = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=1000,
        style={"input_type": "password"},
    )
    has_password = serializers.BooleanField(read_only=True)
    from_email = serializers.CharField(max_length=254)
    from_name = serializers.CharField(max_length=200, allow_blank=True, default="")
    reply_to = serializers.CharField(max_length=254, allow_blank=True, default="")
    timeout = serializers.IntegerField(default=30)
    max_connections = serializers.IntegerField(default=2)
    max_per_minute = serializers.IntegerField(default=120)
    updated_at = serializers.DateTimeField(read_only=True)


class SmtpTestSerializer(SmtpSettingsSerializer):
    """``POST smtp/test``: the settings to try (saved or not) plus ``to``. Without ``password``,
    ``level`` (and ``company`` at the company level) names the stored password to use."""

    schema_description = _(
        "Teste de envio: as configurações SMTP a testar (gravadas ou não) e o destinatário `to`. "
        "Sem `password`, `level` (e `company`, no nível por empresa) indica a senha gravada a usar."
    )

    has_password = None
    updated_at = None
    level = serializers.ChoiceField(
        choices=SmtpLevel.choices,
        required=False,
        help_text=_("Nível cuja senha gravada é usada quando `password` é omitida."),
    )
    company = _reference(
        Company.objects.all(),
        _("Empresa {pk_value} não encontrada."),
        required=False,
        allow_null=True,
        help_text=_("Empresa do nível `company`."),
    )
    to = serializers.CharField(
        max_length=254, help_text=_("Endereço que recebe a mensagem de teste.")
    )

    def validate_to(self, value: str) -> str:
        return _check_email(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        level, company = attrs.get("level"), attrs.get("company")
        if level == SmtpLevel.COMPANY and company is None:
            raise serializers.ValidationError(
                {"company": [_("Informe a empresa do nível Financeiro / Spy System / Empresas.")]}
            )
        if company is not None and level != SmtpLevel.COMPANY:
            raise serializers.ValidationError(
                {"company": [_("A empresa só se aplica ao nível “company”.")]}
            )
        return attrs


class SmtpTestStepSerializer(serializers.Serializer):
    schema_description = _("Uma etapa do diálogo SMTP, com a resposta do servidor.")

    name = serializers.CharField(read_only=True, help_text=_("Conexão, STARTTLS, EHLO, AUTH…"))
    ok = serializers.BooleanField(read_only=True)
    reply = serializers.CharField(read_only=True, help_text=_("Resposta do servidor."))
    explanation = serializers.CharField(read_only=True, help_text=_("Explicação em português."))


class SmtpTestReportSerializer(serializers.Serializer):
    schema_description = _(
        "Resultado do teste de envio: `ok`, um resumo em português e cada etapa do diálogo SMTP."
    )

    ok = serializers.BooleanField(read_only=True)
    summary = serializers.CharField(read_only=True)
    steps = SmtpTestStepSerializer(many=True, read_only=True)


class SwitchesSerializer(serializers.Serializer):
    """The three options of the manual; ``PUT`` changes the ones it carries."""

    schema_description = _(
        "Opções do manual: usar a hierarquia SMTP nas demais rotinas; cobrança e aviso por empresa."
    )

    use_spy_smtp = serializers.BooleanField(required=False)
    cobranca_por_empresa = serializers.BooleanField(required=False)
    aviso_por_empresa = serializers.BooleanField(required=False)


class ExplainQuerySerializer(serializers.Serializer):
    company = _reference(
        Company.objects.all(),
        _("Empresa {pk_value} não encontrada."),
        required=False,
        allow_null=True,
    )
    routine = serializers.ChoiceField(choices=ROUTED_ROUTINES)


class RouteSerializer(serializers.Serializer):
    schema_description = _("Nível SMTP escolhido (ou nulo) e o motivo, em português.")

    level = serializers.CharField(allow_null=True, read_only=True)
    reason = serializers.CharField(read_only=True)


class MessageSerializer(serializers.Serializer):
    """An outbox row, without its bodies."""

    schema_description = _("Mensagem do registro de e-mails.")

    id = serializers.IntegerField(read_only=True)
    routine = serializers.ChoiceField(choices=Routine.choices, read_only=True)
    company = serializers.IntegerField(source="company_id", read_only=True, allow_null=True)
    to_email = serializers.CharField(read_only=True)
    to_name = serializers.CharField(read_only=True)
    subject = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=MessageStatus.choices, read_only=True)
    attempts = serializers.IntegerField(read_only=True)
    next_attempt_at = serializers.DateTimeField(read_only=True)
    last_error = serializers.CharField(read_only=True)
    smtp_level = serializers.CharField(read_only=True)
    smtp_reply = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    sent_at = serializers.DateTimeField(read_only=True, allow_null=True)


class MessageDetailSerializer(MessageSerializer):
    """An outbox row with its bodies and the change that caused it (Spy e-mails)."""

    schema_description = _(
        "Mensagem do registro de e-mails, com os corpos e a alteração que a causou."
    )

    body_text = serializers.CharField(read_only=True)
    body_html = serializers.CharField(read_only=True)
    change = serializers.IntegerField(source="change_id", read_only=True, allow_null=True)


class MessageFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=MessageStatus.choices, required=False)
    routine = serializers.ChoiceField(choices=Routine.choices, required=False)
    company = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    created_from = serializers.DateField(
        required=False, help_text=_("Criadas a partir deste dia (YYYY-MM-DD, horário de Brasília).")
    )
    created_to = serializers.DateField(
        required=False, help_text=_("Criadas até este dia, inclusive (YYYY-MM-DD).")
    )


# -- boletos ---------------------------------------------------------------------------------


class BankAccountSerializer(serializers.Serializer):
    """A company's collection account for boletos. The rules (known bank, valid CPF/CNPJ, a
    trial compute, one default per company) live in ``finance.services``."""

    schema_description = _(
        "Conta bancária de cobrança de uma empresa. Validada com um cálculo de teste (o próximo "
        "nosso número, vencimento em 30 dias). Os campos de cada banco (`agreement`, `wallet`, "
        "`extras`) estão em docs/boleto.md."
    )

    id = serializers.IntegerField(read_only=True)
    company = _reference(Company.objects.all(), _("Empresa {pk_value} não encontrada."))
    bank = serializers.CharField(
        source="bank_code",
        max_length=3,
        help_text=_("Código FEBRABAN: 001, 033, 077, 104, 237, 341, 748 ou 756."),
    )
    bank_name = serializers.SerializerMethodField()
    agency = serializers.CharField(max_length=10, help_text=_("Agência (ou cooperativa)."))
    agency_dv = serializers.CharField(max_length=2, allow_blank=True, default="")
    account = serializers.CharField(max_length=20, allow_blank=True, default="")
    account_dv = serializers.CharField(max_length=2, allow_blank=True, default="")
    wallet = serializers.CharField(
        max_length=10, allow_blank=True, default="", help_text=_("Carteira.")
    )
    agreement = serializers.CharField(
        max_length=20,
        allow_blank=True,
        default="",
        help_text=_("Convênio / código do beneficiário ou do cliente."),
    )
    extras = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=40),
        default=dict,
        help_text=_(
            "Campos próprios do banco: `posto`, `year`, `byte`, `tipo_cobranca` (748); "
            "`seu_numero` (341); `modalidade`, `parcela` (756); `iof` (033); `emissao` (104); "
            "`nosso_numero_length` (001)."
        ),
    )
    beneficiary_name = serializers.CharField(max_length=200)
    beneficiary_document = serializers.CharField(
        max_length=20, help_text=_("CPF ou CNPJ do beneficiário, com ou sem pontuação.")
    )
    beneficiary_address = serializers.CharField(max_length=300, allow_blank=True, default="")
    instructions = serializers.CharField(allow_blank=True, default="", trim_whitespace=False)
    fine_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal(0), help_text=_("Multa, em %.")
    )
    interest_month_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal(0), help_text=_("Juros ao mês, em %.")
    )
    next_our_number = serializers.IntegerField(
        min_value=1,
        default=1,
        help_text=_("Próximo nosso número a reservar (sem dígito verificador)."),
    )
    is_default = serializers.BooleanField(
        required=False,
        help_text=_(
            "Conta padrão da empresa (a usada nos boletos). `true` tira a marca da anterior; "
            "omitido na criação: `true` se a empresa ainda não tem conta padrão."
        ),
    )
    boletos = serializers.SerializerMethodField()

    def validate_company(self, value: Company) -> Company:
        return _check_scope(self, value)

    def get_bank_name(self, account: Any) -> str:
        from spysystem.boleto import BANKS

        bank = BANKS.get(account.bank_code)
        return bank.name if bank else ""

    def get_boletos(self, account: Any) -> int:
        """How many boletos were issued against the account (it cannot be deleted then)."""
        count = getattr(account, "boletos_issued", None)
        return account.boletos.count() if count is None else count


class BankAccountFilterSerializer(serializers.Serializer):
    company = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class BoletoSerializer(serializers.Serializer):
    schema_description = _(
        "Boleto de um título: o nosso número reservado e os códigos, calculados por nós ou "
        "devolvidos pelo banco (`bank_issued`)."
    )

    title = serializers.IntegerField(source="title_id", read_only=True)
    bank_account = serializers.IntegerField(source="bank_account_id", read_only=True)
    bank = serializers.SerializerMethodField()
    our_number = serializers.IntegerField(
        read_only=True, help_text=_("Sequência reservada, sem dígito verificador.")
    )
    our_number_formatted = serializers.CharField(
        read_only=True, help_text=_("Nosso número como impresso, com o dígito verificador.")
    )
    barcode = serializers.CharField(read_only=True, help_text=_("44 dígitos."))
    digitable_line = serializers.CharField(
        read_only=True, help_text=_("Linha digitável como impressa.")
    )
    due_date = serializers.DateField(read_only=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    bank_issued = serializers.BooleanField(
        read_only=True, help_text=_("Códigos devolvidos pelo banco (nunca recalculados).")
    )
    created_at = serializers.DateTimeField(read_only=True)

    def get_bank(self, boleto: Any) -> str:
        """The bank code, from the barcode (positions 1-3)."""
        return boleto.barcode[:3]


class TitleIdsSerializer(serializers.Serializer):
    schema_description = _("Títulos selecionados (ids), até 500.")

    titles = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=500
    )


class RoutineErrorSerializer(serializers.Serializer):
    title = serializers.IntegerField(read_only=True)
    message = serializers.CharField(read_only=True)


class RoutineResultSerializer(serializers.Serializer):
    schema_description = _(
        "Resultado da rotina: e-mails colocados na fila, títulos feitos e, por título, o erro."
    )

    queued = serializers.IntegerField(read_only=True, help_text=_("E-mails colocados na fila."))
    done = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    errors = RoutineErrorSerializer(many=True, read_only=True)


class BoletoParseSerializer(serializers.Serializer):
    schema_description = _("Linha digitável ou código de barras a validar e decodificar.")

    line = serializers.CharField(
        max_length=200,
        help_text=_("47 ou 44 dígitos; pontos, espaços e hífens são aceitos."),
    )
    reference_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=_("Data de referência para o fator de vencimento (padrão: hoje)."),
    )


class BoletoParsedSerializer(serializers.Serializer):
    schema_description = _("Boleto decodificado.")

    bank = serializers.CharField(read_only=True)
    bank_name = serializers.CharField(read_only=True)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    due_date = serializers.DateField(
        read_only=True, allow_null=True, help_text=_("Nulo: contra-apresentação (fator 0000).")
    )
    due_factor = serializers.CharField(read_only=True)
    barcode = serializers.CharField(read_only=True)
    digitable_line = serializers.CharField(read_only=True)
    free_field = serializers.CharField(read_only=True)
    currency = serializers.CharField(read_only=True)


class BoletoComputeSerializer(serializers.Serializer):
    """Documentation only: ``boleto/compute`` reads the JSON as it comes (``boleto_fields``)."""

    schema_description = _(
        "Dados de um boleto a calcular (os mesmos de `spy boleto compute`). Além destes, os "
        "campos próprios do banco: `nosso_numero_length` (001), `iof` (033), `emissao` (104), "
        "`seu_numero` (341), `posto`, `year`, `byte`, `tipo_cobranca` (748), `modalidade`, "
        "`parcela` (756). Um campo que o banco não conhece é recusado."
    )

    bank = serializers.CharField(help_text=_("Código FEBRABAN do banco."))
    agency = serializers.CharField(required=False, help_text=_("Agência ou cooperativa."))
    agency_dv = serializers.CharField(required=False)
    account = serializers.CharField(required=False)
    account_dv = serializers.CharField(required=False)
    wallet = serializers.CharField(required=False, help_text=_("Carteira."))
    agreement = serializers.CharField(
        required=False, help_text=_("Convênio / código do beneficiário ou do cliente.")
    )
    our_number = serializers.CharField(help_text=_("Nosso número sem dígito verificador."))
    due_date = serializers.DateField()
    amount = serializers.CharField(help_text=_("Decimal em texto: “1234.56”."))
    reference_date = serializers.DateField(
        required=False, help_text=_("Dia de emissão para a janela FEBRABAN (padrão: hoje).")
    )


class BoletoComputedSerializer(serializers.Serializer):
    schema_description = _("Boleto calculado.")

    bank = serializers.CharField(read_only=True)
    barcode = serializers.CharField(read_only=True, help_text=_("44 dígitos."))
    digitable_line = serializers.CharField(
        read_only=True, help_text=_("Linha digitável como impressa.")
    )
    our_number = serializers.CharField(
        read_only=True, help_text=_("Nosso número como impresso, com o dígito verificador.")
    )
    due_factor = serializers.CharField(read_only=True)
    due_date = serializers.DateField(read_only=True)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    free_field = serializers.CharField(read_only=True, help_text=_("Campo livre, 25 dígitos."))


# -- tasks and routines ----------------------------------------------------------------------


class TaskRunSerializer(serializers.Serializer):
    schema_description = _(
        "Uma execução de tarefa: situação, dia considerado (`as_of`), início e fim, contagens, "
        "problemas (um por item pulado) e o erro quando falhou."
    )

    id = serializers.IntegerField(read_only=True)
    task = serializers.CharField(source="task.name", read_only=True)
    status = serializers.ChoiceField(choices=RunStatus.choices, read_only=True)
    trigger = serializers.CharField(
        read_only=True, help_text=_("Quem disparou: `schedule`, `manual`, `cli` ou `api`.")
    )
    slot = serializers.DateTimeField(read_only=True)
    as_of = serializers.DateField(read_only=True)
    started_at = serializers.DateTimeField(read_only=True)
    finished_at = serializers.DateTimeField(read_only=True, allow_null=True)
    counts = serializers.DictField(child=serializers.IntegerField(), read_only=True)
    problems = serializers.ListField(child=serializers.CharField(), read_only=True)
    error = serializers.CharField(read_only=True)


class NotifyUsersField(serializers.ListField):
    child = serializers.IntegerField(min_value=1, max_value=MAX_ID)

    def get_attribute(self, instance: Any) -> list[int]:
        return sorted(user.pk for user in instance.notify_users.all())


class TaskSerializer(serializers.Serializer):
    schema_description = _(
        "Tarefa agendada do manual (GEEnviaEmailAvisoVencimento, GEAtualizaCobranca): agenda cron, "
        "ativa ou não, próxima execução, usuários avisados em falha e a última execução."
    )

    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    schedule = serializers.CharField(
        max_length=100, required=False, help_text=_("Agenda cron, por exemplo “0 7 * * *”.")
    )
    enabled = serializers.BooleanField(required=False)
    notify_users = NotifyUsersField(
        required=False,
        help_text=_("Ids dos usuários que recebem um e-mail Spy quando a tarefa falha."),
    )
    next_run_at = serializers.SerializerMethodField()
    last_run = serializers.SerializerMethodField()

    @extend_schema_field(
        serializers.DateTimeField(
            allow_null=True,
            help_text=_("Próxima execução agendada (nula quando a tarefa está desativada)."),
        )
    )
    def get_next_run_at(self, task: Any) -> str | None:
        from django.utils import timezone

        from spysystem.routines.scheduler import next_slot

        if not task.enabled:
            return None
        value = task.next_run_at or next_slot(task.schedule, timezone.now())
        return serializers.DateTimeField().to_representation(value)

    @extend_schema_field(TaskRunSerializer(allow_null=True))
    def get_last_run(self, task: Any) -> dict | None:
        run = task.runs.select_related("task").first()
        return TaskRunSerializer(run).data if run else None


class TaskRunRequestSerializer(serializers.Serializer):
    schema_description = _("Executar agora; `as_of` roda como se fosse aquele dia (padrão: hoje).")

    as_of = serializers.DateField(
        required=False, allow_null=True, help_text=_("Dia considerado, AAAA-MM-DD (padrão: hoje).")
    )


class RoutineSettingsSerializer(serializers.Serializer):
    schema_description = _(
        "Opções das rotinas de uma empresa: dias de aviso antes do vencimento (0–60), níveis de "
        "cobrança em dias de atraso (1–365) e o endereço de resposta das cobranças."
    )

    company = serializers.IntegerField(source="company_id", read_only=True)
    aviso_offsets = serializers.ListField(
        required=False, help_text=_("Dias antes do vencimento, por exemplo [5, 1, 0].")
    )
    cobranca_levels = serializers.ListField(
        required=False, help_text=_("Dias de atraso de cada nível, por exemplo [1, 7, 15, 30].")
    )
    reply_to = serializers.CharField(
        max_length=254, required=False, allow_blank=True, help_text=_("Responder para.")
    )


class EmailTemplateSerializer(serializers.Serializer):
    schema_description = _(
        "Modelo de e-mail editado de uma rotina (`company` nulo: para todas as empresas), na "
        "linguagem de modelos do Django."
    )

    routine = serializers.CharField(read_only=True)
    company = serializers.IntegerField(source="company_id", read_only=True, allow_null=True)
    subject = serializers.CharField(max_length=300)
    body_text = serializers.CharField(trim_whitespace=False)
    body_html = serializers.CharField(allow_blank=True, default="", trim_whitespace=False)
    updated_at = serializers.DateTimeField(read_only=True)


class EmailTemplateFilterSerializer(serializers.Serializer):
    routine = serializers.ChoiceField(choices=TEMPLATE_ROUTINES, required=False)
    company = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class TemplatePreviewSerializer(serializers.Serializer):
    schema_description = _(
        "Pré-visualização de um modelo (gravado ou não) gerado a partir de um título real; "
        "nada é reservado nem enviado."
    )

    routine = serializers.ChoiceField(choices=TEMPLATE_ROUTINES)
    title = _reference(
        Title.objects.select_related("company", "party"), _("Título {pk_value} não encontrado.")
    )
    subject = serializers.CharField(max_length=300)
    body_text = serializers.CharField(trim_whitespace=False)
    body_html = serializers.CharField(allow_blank=True, default="", trim_whitespace=False)

    def validate_title(self, value: Any) -> Any:
        _check_scope(self, value.company)
        return value


class TemplateRenderedSerializer(serializers.Serializer):
    schema_description = _("O e-mail gerado: assunto, texto e HTML.")

    subject = serializers.CharField(read_only=True)
    text = serializers.CharField(read_only=True)
    html = serializers.CharField(read_only=True)


class SettingsChangeSerializer(serializers.Serializer):
    schema_description = _(
        "Alteração de configuração: quem, quando, origem, a área e os valores antes → depois "
        "(senhas mascaradas)."
    )

    id = serializers.IntegerField(read_only=True)
    area = serializers.CharField(
        read_only=True, help_text=_("Por exemplo `smtp:general`, `spy:recipients`, `tarefa:…`.")
    )
    actor = serializers.CharField(source="actor_label", read_only=True)
    actor_id = serializers.IntegerField(read_only=True, allow_null=True)
    origin = serializers.CharField(read_only=True)
    changed_fields = serializers.ListField(child=serializers.CharField(), read_only=True)
    before = serializers.JSONField(read_only=True, allow_null=True)
    after = serializers.JSONField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)


class SettingsChangeFilterSerializer(serializers.Serializer):
    area = serializers.CharField(
        required=False, help_text=_("Prefixo da área: `smtp` traz todos os níveis SMTP.")
    )
