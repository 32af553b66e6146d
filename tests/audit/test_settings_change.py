"""Every settings change is recorded: who, when, what, before → after, secrets masked."""

import json

from spysystem.audit.models import SettingsChange
from spysystem.audit.selectors import settings_change_list
from spysystem.mail.services import smtp_settings_delete, smtp_settings_save, switches_set
from spysystem.watch.services import recipients_set


def test_smtp_save_is_recorded_with_the_password_masked(db, make_user):
    admin = make_user("chefe", is_admin=True)
    smtp_settings_save(
        level="general",
        host="smtp.empresa.com.br",
        from_email="spy@empresa.com.br",
        password="segredo-123",
        actor=admin,
        origin="screen",
    )
    smtp_settings_save(
        level="general", host="smtp2.empresa.com.br", from_email="spy@empresa.com.br", actor=admin
    )
    first, second = SettingsChange.objects.order_by("id")
    assert first.before is None and first.after["host"] == "smtp.empresa.com.br"
    assert (
        first.actor_label == "chefe" and first.origin == "screen" and first.area == "smtp:general"
    )
    assert second.changed_fields == ["host"]
    everything = json.dumps(
        [c.before for c in SettingsChange.objects.all()]
        + [c.after for c in SettingsChange.objects.all()]
    )
    assert "segredo-123" not in everything


def test_saving_the_same_values_records_nothing(db):
    switches_set(use_spy_smtp=True)
    switches_set(use_spy_smtp=True)
    assert SettingsChange.objects.filter(area="switches").count() == 1


def test_recipients_and_deletions_are_recorded(db, make_user, make_company):
    user, company = make_user(), make_company("E9")
    recipients_set(
        config={"payable": {"default": [user.pk], "companies": {str(company.pk): [user.pk]}}}
    )
    smtp_settings_save(
        level="company", company=company, host="smtp.e9.com.br", from_email="a@e9.com.br"
    )
    smtp_settings_delete(level="company", company=company)
    areas = [change.area for change in settings_change_list()]
    assert areas == ["smtp:company:E9", "smtp:company:E9", "spy:recipients"]
    deletion = settings_change_list(area="smtp").first()
    assert deletion.after is None and deletion.before["host"] == "smtp.e9.com.br"
