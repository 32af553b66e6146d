"""The filter bar every list screen shares (``web/_filters.html``)."""

import re

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    ("name", "clear"),
    [
        ("finance:title_list", True),
        ("finance:party_list", False),
        ("mail:outbox_list", True),
        ("watch:change_list", True),
        ("settings_audit", True),
    ],
)
def test_each_list_has_its_filter_bar_and_a_way_back_to_the_whole_list(staff_client, name, clear):
    url = reverse(name)
    page = staff_client.get(url).content.decode()
    bar = re.search(r'<form method="get" class="filters".*?</form>', page, re.DOTALL)
    assert bar, f"{name}: no filter bar"
    assert "Filtrar" in bar.group() and 'name="' in bar.group()  # the form's fields are there
    assert (f'<a href="{url}">Limpar</a>' in bar.group()) is clear
