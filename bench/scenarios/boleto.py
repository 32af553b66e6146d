"""``boleto_pdf_per_s``: full-layout boleto PDFs (one PDF per boleto, as attached to an e-mail)
rendered per second of CPU time of one core.

The issue states this one as a rate, not a ratio; CPU time (``time.process_time``) of a single
thread keeps it steady on a noisy machine. Five rounds after a warm-up; the median round counts.
"""

from __future__ import annotations

import statistics
import time
from datetime import date

from bench.context import Bench

ROUND_SECONDS = 1.0
ROUNDS = 5


def _boletos() -> list:
    from spysystem.boleto import BankAccount, BoletoData, Party, compute

    beneficiary = Party(
        "Spy Comércio de Peças Ltda",
        "12.345.678/0001-95",
        ("Rua das Acácias, 123 - Centro", "São Paulo/SP - CEP 01010-000"),
    )
    payer = Party("José da Conceição Araújo", "123.456.789-09", ("Av. Brasil, 4567", "Curitiba/PR"))
    account = BankAccount("341", "1248", "02124", wallet="109")
    boletos = []
    for n in range(1, 51):
        computed = compute(
            account=account,
            nosso_numero=f"{10000 + n}",
            due_date=date(2026, 3, 20),
            amount=f"{1000 + n}.56",
            reference_date=date(2026, 1, 5),
        )
        boletos.append(
            BoletoData.from_computed(
                computed,
                beneficiary=beneficiary,
                payer=payer,
                document_number=f"NF {4000 + n}/1",
                document_date=date(2026, 1, 5),
                instructions=("Não receber após 30 dias do vencimento.",),
                fine_interest="Após o vencimento, multa de 2% e juros de 1% ao mês.",
            )
        )
    return boletos


def _round(render, boletos: list, seconds: float) -> float:
    done, started = 0, time.process_time()
    while (spent := time.process_time() - started) < seconds:
        render([boletos[done % len(boletos)]])
        done += 1
    return done / spent


def run(bench: Bench) -> dict:
    try:
        from spysystem.boleto import render_pdf
    except ImportError:
        return {"boleto_pdf_per_s": "not measured: boleto PDF not built yet"}
    boletos = _boletos()
    seconds = bench.scaled(ROUND_SECONDS, minimum=0.2)
    _round(render_pdf, boletos, seconds / 2)  # warm-up: imports, fonts
    rates = [_round(render_pdf, boletos, seconds) for _ in range(ROUNDS)]
    size = len(render_pdf([boletos[0]]))
    bench.details["boleto_pdf"] = {
        "rounds_per_cpu_s": [round(r, 1) for r in rates],
        "pdf_bytes": size,
    }
    return {"boleto_pdf_per_s": round(statistics.median(rates), 1)}
