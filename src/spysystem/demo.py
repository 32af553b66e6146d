"""Demo mode: SQLite under ./var, generated development secrets, demo data, a capture SMTP
server, the worker and the web app in one process (``make run`` / ``spy demo``).
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import threading
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

DEMO_USER = "demo"
DEMO_PASSWORD = "demo"  # noqa: S105 (printed on purpose: demo mode only)


def prepare_demo_environment() -> None:
    """Set ``SPY_DEMO`` and development secrets (kept in ``var/demo-secrets.json``) unless the
    environment already provides them. Must run before Django reads its settings."""
    os.environ["SPY_DEMO"] = "1"
    var_dir = Path(os.environ.get("SPY_VAR_DIR") or Path.cwd() / "var")
    var_dir.mkdir(parents=True, exist_ok=True)
    secrets_file = var_dir / "demo-secrets.json"
    if not secrets_file.exists():
        from cryptography.fernet import Fernet

        values = {"secret_key": secrets.token_urlsafe(50), "key": Fernet.generate_key().decode()}
        secrets_file.write_text(json.dumps(values))
        secrets_file.chmod(0o600)
    values = json.loads(secrets_file.read_text())
    os.environ.setdefault("SPY_SECRET_KEY", values["secret_key"])
    os.environ.setdefault("SPY_ENCRYPTION_KEYS", values["key"])


def _demo_companies():
    from spysystem.finance.documents import cnpj_check_digits
    from spysystem.finance.services import company_create

    rows = [
        ("MATRIZ", "Comercial Horizonte Ltda", "112223330001"),
        ("FILIAL-SP", "Comercial Horizonte Filial São Paulo", "112223330002"),
        ("FILIAL-RJ", "Horizonte Serviços Rio (CNPJ alfanumérico)", "12ABC3450001"),
    ]
    return [company_create(code=c, name=n, cnpj=b + cnpj_check_digits(b)) for c, n, b in rows]


def _demo_parties():
    from spysystem.finance.documents import cnpj_check_digits, cpf_check_digits
    from spysystem.finance.services import party_create

    return [
        party_create(
            name="Papelaria Central S.A.",
            document="445556660001" + cnpj_check_digits("445556660001"),
            emails=["financeiro@papelaria.example.com"],
        ),
        party_create(
            name="Transportes Rápido Ltda",
            document="778889990001" + cnpj_check_digits("778889990001"),
            emails=["contas@rapido.example.com", "diretoria@rapido.example.com"],
        ),
        party_create(
            name="Maria da Silva",
            document="123456789" + cpf_check_digits("123456789"),
            emails=["maria.silva@example.com"],
        ),
    ]


def _demo_users():
    from spysystem.finance.services import user_create

    admin = user_create(
        username=DEMO_USER,
        email="demo@horizonte.example.com",
        password=DEMO_PASSWORD,
        is_admin=True,
        first_name="Demo",
    )
    controller = user_create(
        username="controladoria",
        email="controladoria@horizonte.example.com",
        first_name="Controladoria",
    )
    sp = user_create(
        username="gerente.sp", email="gerente.sp@horizonte.example.com", first_name="Gerente SP"
    )
    return admin, controller, sp


def _demo_titles(companies, parties) -> None:
    from django.utils import timezone

    from spysystem.finance.services import title_create
    from spysystem.watch.context import Origin

    today = timezone.localdate()
    for n in range(18):
        title_create(
            user=None,
            origin=Origin.SYSTEM,
            ledger="payable" if n % 2 == 0 else "receivable",
            company=companies[n % 3],
            party=parties[n % 3],
            document=f"NF-{1000 + n}",
            installment=1 + n % 3,
            issue_date=today - timedelta(days=30 - n),
            due_date=today + timedelta(days=n - 5),
            amount=Decimal(1500 + 137 * n) + Decimal("0.45"),
            description="Título de demonstração",
        )


def demo_data_load(*, smtp_port: int) -> bool:
    """Load the demo data when the database has no company yet; returns whether it loaded."""
    from django.db import transaction

    from spysystem.finance.models import Company
    from spysystem.mail.services import smtp_settings_save
    from spysystem.watch.services import recipients_set

    if Company.objects.exists():
        return False
    with transaction.atomic():
        companies, parties = _demo_companies(), _demo_parties()
        admin, controller, sp = _demo_users()
        _demo_titles(companies, parties)
        recipients_set(
            config={
                "payable": {
                    "default": [admin.pk, controller.pk],
                    "companies": {str(companies[1].pk): [sp.pk]},
                },
                "receivable": {"default": [admin.pk], "companies": {}},
            }
        )
        smtp_settings_save(
            level="general",
            host="127.0.0.1",
            port=smtp_port,
            security="none",
            from_email="spy@horizonte.example.com",
            from_name="Spy System (demo)",
        )
    return True


def run_demo(*, host: str, port: int, smtp_port: int) -> int:
    """Migrate, load demo data, start the capture server and the worker, serve the web app."""
    from django.core.management import call_command

    from spysystem.mail.capture import capture_server_start
    from spysystem.worker import run_worker

    call_command("migrate", interactive=False, verbosity=0)
    loaded = demo_data_load(smtp_port=smtp_port)
    try:
        capture = capture_server_start(host="127.0.0.1", port=smtp_port)
    except OSError:
        print(f"erro: a porta SMTP {smtp_port} já está em uso; use --smtp-port.", file=sys.stderr)
        return 2
    stop = threading.Event()
    worker = threading.Thread(target=run_worker, kwargs={"stop": stop}, daemon=True)
    worker.start()
    try:
        from spysystem.web.server import serve_web

        return serve_web(
            host=host, port=port, threads=4, banner=_banner(host, port, smtp_port, loaded)
        )
    finally:
        stop.set()
        worker.join(timeout=5)
        capture.stop()


def _banner(host: str, port: int, smtp_port: int, loaded: bool) -> str:
    data = "dados de demonstração carregados" if loaded else "banco já tinha dados"
    return (
        "\nSpy System (demo) pronto:\n"
        f"  URL:    http://{host}:{port}/\n"
        f"  Login:  {DEMO_USER} / senha {DEMO_PASSWORD}\n"
        f"  SMTP de captura em 127.0.0.1:{smtp_port} (Caixa de captura no menu); {data}.\n"
        "  Edite o valor ou o vencimento de um título e veja o e-mail do Spy chegar.\n"
        "  Ctrl+C encerra.\n"
    )
