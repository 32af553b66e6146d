"""Boletos issued for titles (the routines' state)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from spysystem.finance.models import BankAccount, Title


class Boleto(models.Model):
    """The boleto of a title: its allocated nosso número and the codes, as computed or as the
    bank issued them (``bank_issued``: stored and validated, never recomputed)."""

    title = models.OneToOneField(Title, on_delete=models.CASCADE, related_name="boleto")
    bank_account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="boletos")
    our_number = models.PositiveBigIntegerField()
    our_number_formatted = models.CharField(max_length=40)
    barcode = models.CharField(max_length=44)
    digitable_line = models.CharField(max_length=60)
    due_date = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    bank_issued = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bank_account", "our_number"], name="boleto_our_number_unique"
            )
        ]

    def __str__(self) -> str:
        return self.digitable_line
