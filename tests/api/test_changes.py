"""``/api/v1/changes``: the captured changes of titles."""

from __future__ import annotations

from decimal import Decimal

from spysystem.finance import services as finance
from spysystem.finance.models import Ledger
from spysystem.watch.context import Origin
from tests.api.conftest import API


def _bump(title, amount: str = "1.00") -> None:
    finance.title_update(title=title, user=None, origin=Origin.SCREEN, amount=Decimal(amount))


def test_change_shows_what_who_and_how(api, make_title):
    title = make_title()
    _bump(title)
    [change] = api.get(f"{API}changes").json()["results"]
    assert change["title_id"] == title.pk
    assert change["company_id"] == title.company_id
    assert (change["ledger"], change["kind"], change["facts"]) == ("payable", "update", ["amount"])
    assert (change["actor"], change["origin"]) == ("sistema", "screen")
    assert change["before"]["amount"] != change["after"]["amount"]
    assert change["created_at"]


def test_changes_are_filtered_by_title_company_and_ledger(api, make_company, make_title):
    e1, e2 = make_company(), make_company()
    wanted = make_title(company=e1)
    other_ledger = make_title(company=e1, ledger=Ledger.RECEIVABLE)
    other_company = make_title(company=e2)
    for title in (wanted, other_ledger, other_company):
        _bump(title)
    _bump(wanted, "2.00")

    def ids(**query) -> list[int]:
        return [c["title_id"] for c in api.get(f"{API}changes", query).json()["results"]]

    assert ids(title=wanted.pk) == [wanted.pk, wanted.pk]
    assert sorted(set(ids(company=e1.pk))) == sorted([wanted.pk, other_ledger.pk])
    assert set(ids(company=e1.pk, ledger="payable")) == {wanted.pk}
    assert set(ids(ledger="receivable")) == {other_ledger.pk}


def test_deletion_is_listed_with_fact_deleted(api, make_title):
    title = make_title()
    title_id = title.pk
    finance.title_delete(title=title, user=None, origin=Origin.SCREEN)
    [change] = api.get(f"{API}changes", {"title": title_id}).json()["results"]
    assert (change["kind"], change["facts"], change["after"]) == ("delete", ["deleted"], None)
    assert api.get(f"{API}changes/{change['id']}").json()["id"] == change["id"]


def test_bad_filter_is_400(api):
    response = api.get(f"{API}changes", {"ledger": "ambos"})
    assert response.status_code == 400
    assert response.json() == {"ledger": ['"ambos" não é uma escolha válida.']}


def test_before_and_after_keep_their_fields_before_and_after_fan_out(api, make_title):
    """Typed columns since issue 7: the API still shows the whole title on both sides."""
    from spysystem.watch.services import process_one_change

    keys = {"id", "ledger", "company_id", "party_id", "document", "installment", "issue_date"}
    keys |= {"due_date", "status", "description", "amount"}
    title = make_title(amount=Decimal("1000.00"))
    _bump(title, "1500.25")
    [pending] = api.get(f"{API}changes").json()["results"]
    assert process_one_change()
    [done] = api.get(f"{API}changes").json()["results"]
    assert pending == done
    assert set(done["before"]) == set(done["after"]) == keys
    assert (done["before"]["amount"], done["after"]["amount"]) == ("1000.00", "1500.25")
    assert done["after"]["document"] == title.document
    assert done["after"]["issue_date"] == "2026-11-01"
