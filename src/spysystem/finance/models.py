"""The ERP side: companies, parties and the titles (installments) of payables and receivables."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from spysystem.finance.documents import format_document
from spysystem.finance.validators import (
    validate_cnpj,
    validate_cpf_or_cnpj,
    validate_email_address,
    validate_single_line,
)


class Ledger(models.TextChoices):
    PAYABLE = "payable", _("Contas a pagar")
    RECEIVABLE = "receivable", _("Contas a receber")


class TitleStatus(models.TextChoices):
    OPEN = "open", _("Em aberto")
    PAID = "paid", _("Pago")
    CANCELLED = "cancelled", _("Cancelado")


class Company(models.Model):
    code = models.CharField(_("código"), max_length=20, unique=True)
    name = models.CharField(_("razão social"), max_length=200)
    cnpj = models.CharField(_("CNPJ"), max_length=14, unique=True, validators=[validate_cnpj])

    class Meta:
        ordering = ["code"]
        verbose_name = _("empresa")
        verbose_name_plural = _("empresas")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    @property
    def cnpj_display(self) -> str:
        return format_document(self.cnpj)


class Party(models.Model):
    name = models.CharField(_("nome"), max_length=200)
    document = models.CharField(
        _("CPF/CNPJ"), max_length=14, unique=True, validators=[validate_cpf_or_cnpj]
    )
    aviso_opt_out = models.BooleanField(_("não enviar aviso de vencimento"), default=False)
    cobranca_opt_out = models.BooleanField(_("não enviar e-mail de cobrança"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("pessoa")
        verbose_name_plural = _("pessoas")

    def __str__(self) -> str:
        return self.name

    @property
    def document_display(self) -> str:
        return format_document(self.document)

    @property
    def email_list(self) -> list[str]:
        return [item.email for item in self.emails.all()]


class PartyEmail(models.Model):
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="emails")
    email = models.CharField(_("e-mail"), max_length=254, validators=[validate_email_address])

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["party", "email"], name="party_email_unique"),
        ]

    def __str__(self) -> str:
        return self.email


class Title(models.Model):
    """One installment of a payable or receivable. Watched: ``amount``, ``due_date``, deletion.

    Database triggers (migration ``watch.0002``) record every change of the watched facts in
    ``watch_change`` inside the writing transaction, whatever wrote it.
    """

    ledger = models.CharField(_("carteira"), max_length=10, choices=Ledger.choices)
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="titles", verbose_name=_("empresa")
    )
    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="titles", verbose_name=_("pessoa")
    )
    document = models.CharField(_("documento"), max_length=40, validators=[validate_single_line])
    installment = models.PositiveSmallIntegerField(_("parcela"), default=1)
    issue_date = models.DateField(_("emissão"))
    due_date = models.DateField(_("vencimento"))
    amount = models.DecimalField(
        _("valor"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    status = models.CharField(
        _("situação"), max_length=10, choices=TitleStatus.choices, default=TitleStatus.OPEN
    )
    description = models.CharField(_("descrição"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("título")
        verbose_name_plural = _("títulos")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "ledger", "party", "document", "installment"],
                name="title_natural_key",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="title_amount_positive"),
        ]
        indexes = [models.Index(fields=["company", "ledger", "status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.document}/{self.installment}"


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrador (tudo)")
    FINANCE = "finance", _("Financeiro (títulos e rotinas, sem configurações)")
    READONLY = "readonly", _("Somente consulta")


class UserAccess(models.Model):
    """A non-administrator's role and the companies they may see (none listed = all).

    Administrators are the staff users; a user without this row is finance staff of every
    company.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access"
    )
    role = models.CharField(_("papel"), max_length=10, choices=Role.choices, default=Role.FINANCE)
    companies = models.ManyToManyField(Company, blank=True, verbose_name=_("empresas"))

    def __str__(self) -> str:
        return f"{self.user_id}: {self.role}"


class BankAccount(models.Model):
    """A company's collection account at a bank (what the boletos are issued against).

    ``next_our_number`` is the next nosso número to allocate; allocation happens under a row
    lock in the issuing transaction, so numbers have no gaps and never repeat.
    """

    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="bank_accounts", verbose_name=_("empresa")
    )
    bank_code = models.CharField(_("banco"), max_length=3)
    agency = models.CharField(_("agência"), max_length=10)
    agency_dv = models.CharField(_("dígito da agência"), max_length=2, blank=True)
    account = models.CharField(_("conta"), max_length=20, blank=True)
    account_dv = models.CharField(_("dígito da conta"), max_length=2, blank=True)
    wallet = models.CharField(_("carteira"), max_length=10, blank=True)
    agreement = models.CharField(_("convênio / código do beneficiário"), max_length=20, blank=True)
    extras = models.JSONField(_("campos do banco"), default=dict, blank=True)
    beneficiary_name = models.CharField(_("beneficiário"), max_length=200)
    beneficiary_document = models.CharField(_("CPF/CNPJ do beneficiário"), max_length=14)
    beneficiary_address = models.CharField(
        _("endereço do beneficiário"), max_length=300, blank=True
    )
    instructions = models.TextField(_("instruções"), blank=True)
    fine_percent = models.DecimalField(_("multa (%)"), max_digits=5, decimal_places=2, default=0)
    interest_month_percent = models.DecimalField(
        _("juros ao mês (%)"), max_digits=5, decimal_places=2, default=0
    )
    next_our_number = models.PositiveBigIntegerField(_("próximo nosso número"), default=1)
    is_default = models.BooleanField(_("conta padrão da empresa"), default=True)

    class Meta:
        ordering = ["company", "bank_code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company"], condition=models.Q(is_default=True), name="one_default_account"
            )
        ]

    def __str__(self) -> str:
        return f"{self.bank_code} {self.agency}/{self.account}"


class TitleDocument(models.Model):
    """A document attached to a title (an invoice, "nota"), re-sent with its boleto."""

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="documents")
    filename = models.CharField(_("arquivo"), max_length=200)
    content_type = models.CharField(max_length=100, default="application/pdf")
    content = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.filename
