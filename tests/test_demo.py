"""Demo mode: the newcomer's path — demo data, capture server, edit a title, see the e-mail."""

from decimal import Decimal

import pytest

from spysystem.demo import demo_data_load
from spysystem.finance import services as finance
from spysystem.finance.models import Company, Title
from spysystem.mail.capture import capture_server_start
from spysystem.mail.models import CapturedMessage
from spysystem.watch.context import Origin
from tests.conftest import drain
from tests.smtp_sink import free_port

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_data_loads_once_and_an_edit_reaches_the_capture_inbox():
    port = free_port()
    assert demo_data_load(smtp_port=port)
    assert not demo_data_load(smtp_port=port)
    assert Company.objects.count() == 3 and Title.objects.count() == 18
    capture = capture_server_start(port=port)
    try:
        title = Title.objects.filter(ledger="payable", company__code="FILIAL-SP").first()
        finance.title_update(
            title=title, user=None, origin=Origin.SCREEN, amount=Decimal("99999.99")
        )
        drain()
    finally:
        capture.stop()
    captured = CapturedMessage.objects.get()
    assert captured.recipients == "gerente.sp@horizonte.example.com"
    assert "R$ 99.999,99" in captured.subject
