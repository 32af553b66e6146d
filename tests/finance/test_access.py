"""Roles and company scope: administrators see everything, others only their companies."""

from spysystem.finance.models import Role
from spysystem.finance.selectors import access_for, companies_visible, titles_visible
from spysystem.finance.services import user_access_set, user_create


def test_staff_is_administrator_of_every_company(db, make_user):
    access = access_for(make_user(is_admin=True))
    assert access.role == Role.ADMIN and access.can_configure and access.company_ids is None


def test_a_user_scoped_to_company_a_sees_only_a(db, make_company, make_title):
    a, b = make_company("A"), make_company("B")
    make_title(company=a), make_title(company=b)
    clerk = user_create(
        username="clerk", email="clerk@a.com.br", role="finance", company_ids=[a.pk]
    )
    assert list(companies_visible(clerk)) == [a]
    assert {t.company_id for t in titles_visible(clerk)} == {a.pk}
    access = access_for(clerk)
    assert access.can_write and not access.can_configure and not access.sees(b.pk)


def test_readonly_cannot_write_and_promoting_to_admin_makes_staff(db, make_company):
    reader = user_create(username="leitor", email="l@a.com.br", role="readonly")
    assert not access_for(reader).can_write
    user_access_set(user=reader, role="admin", company_ids=[])
    reader.refresh_from_db()
    assert reader.is_staff and access_for(reader).role == Role.ADMIN


def test_unknown_role_or_company_changes_nothing(db, make_user):
    import pytest
    from django.core.exceptions import ValidationError

    user = make_user()
    with pytest.raises(ValidationError):
        user_access_set(user=user, role="chefe", company_ids=[])
    with pytest.raises(ValidationError):
        user_access_set(user=user, role="finance", company_ids=[999])
    assert access_for(user).role == Role.FINANCE
