import pytest

from spysystem.finance.models import Ledger
from spysystem.mail.services import smtp_settings_save


@pytest.fixture
def receivable_for(make_title, make_party):
    """A receivable of ``company`` for a customer with one e-mail."""

    def factory(company, due_date, party=None, **fields):
        party = party or make_party(emails=[f"{company.code.lower()}-{due_date}@cliente.com.br"])
        return make_title(
            ledger=Ledger.RECEIVABLE, company=company, party=party, due_date=due_date, **fields
        )

    return factory


@pytest.fixture
def company_smtp(db):
    def factory(company, sink):
        return smtp_settings_save(
            level="company",
            company=company,
            host="127.0.0.1",
            port=sink.port,
            security="none",
            from_email=f"financeiro@{company.code.lower()}.com.br",
            max_per_minute=100000,
        )

    return factory
