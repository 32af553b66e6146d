"""The SMTP hierarchy of the manual: every combination of switches and configured levels."""

import itertools

import pytest

from spysystem.mail.models import MailSwitches, SmtpSettings
from spysystem.mail.routing import resolve_route

GENERAL, FINANCE, COMPANY = (
    SmtpSettings(level=lvl, host=lvl) for lvl in ("general", "finance", "company")
)


def expected_level(
    routine, use_spy, cobranca_emp, aviso_emp, has_general, has_finance, has_company
):
    """The rule of DESIGN.md §4, written independently of the implementation."""
    if routine != "spy" and not use_spy:
        return "general" if has_general else None
    company_allowed = {
        "spy": True,
        "boleto": True,
        "cobranca": cobranca_emp,
        "aviso": aviso_emp,
    }[routine]
    if has_company and company_allowed:
        return "company"
    if has_finance:
        return "finance"
    if has_general:
        return "general"
    return None


CASES = list(itertools.product(["spy", "boleto", "cobranca", "aviso"], *[[False, True]] * 6))


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(map(str, c)))
def test_every_combination_routes_to_the_level_of_the_rule(case):
    routine, use_spy, cob, avi, has_g, has_f, has_c = case
    switches = MailSwitches(use_spy_smtp=use_spy, cobranca_por_empresa=cob, aviso_por_empresa=avi)
    route = resolve_route(
        routine=routine,
        general=GENERAL if has_g else None,
        finance=FINANCE if has_f else None,
        company=COMPANY if has_c else None,
        switches=switches,
    )
    assert route.level == expected_level(*case)
    assert route.reason
    if route.level is None:
        assert route.settings is None and "nenhum servidor smtp configurado" in route.reason.lower()
    else:
        assert route.settings.level == route.level


def test_reason_explains_why_the_company_server_was_not_used_for_cobranca():
    route = resolve_route(
        routine="cobranca",
        general=GENERAL,
        finance=FINANCE,
        company=COMPANY,
        switches=MailSwitches(use_spy_smtp=True),
    )
    assert route.level == "finance"
    assert "Gerar cobrança por empresa" in route.reason
