"""StencilSet: the same text as Django's rendering, for every context, however it is reached."""

from datetime import date
from decimal import Decimal
from functools import cache

import pytest
from django.template import Engine, TemplateSyntaxError
from django.template.loader import get_template
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from spysystem.finance.models import Company
from spysystem.routines.stencil import MAX_SHAPES, StencilSet

ENGINE = Engine(
    libraries={"spy": "spysystem.web.templatetags.spy"}, builtins=["django.templatetags.i18n"]
)
TRICKY = [
    "",
    "a & b",
    "<b>\"x\"</b> 'y'",
    "{0} {} {{ x }} %s %(n)s",
    "\x1a0&\x1a",
    " lots  of\n space ",
]


def stencil(*sources: str, autoescape: bool = True) -> StencilSet:
    return StencilSet([(ENGINE.from_string(source), autoescape) for source in sources])


def outcome(render, values: dict) -> list[str] | type[Exception]:
    try:
        return render(values)
    except Exception as exc:  # the same failure is the same outcome
        return type(exc)


def check(stencil_set: StencilSet, contexts: list[dict]) -> None:
    """Every context renders to Django's own text (or fails the same way)."""
    for values in contexts:
        assert outcome(stencil_set.render, values) == outcome(stencil_set.direct, values), values


@pytest.fixture(autouse=True)
def _portuguese():
    with translation.override("pt-br"):
        yield


def test_printed_values_are_filled_in_escaped_where_django_escapes_them():
    s = stencil(
        '<p title="{{ name }}">{{ name }} {{ doc.number }}</p>'
        "{% autoescape off %}[{{ name }}]{% endautoescape %}",
    )
    check(s, [{"name": n, "doc": {"number": n[::-1]}} for n in TRICKY])
    assert s.markers == [("name",), ("doc", "number")] and len(s._shapes) == 1


def test_conditions_counters_and_filters_make_the_shape():
    s = stencil(
        "{% if offset == 0 %}hoje{% elif boleto %}linha {{ boleto.line }}{% else %}-{% endif %}"
        " {{ amount|upper }} {% blocktranslate count days=offset %}{{ days }} dia{% plural %}"
        "{{ days }} dias{% endblocktranslate %} {% blocktranslate with n=party.name %}"
        "Olá, {{ n }} ({{ city }}){% endblocktranslate %}{% if not party or boleto %}!{% endif %}",
        autoescape=False,
    )
    contexts = [
        {
            "offset": offset,
            "boleto": boleto,
            "amount": name,
            "party": {"name": name},
            "city": name,
        }
        for offset in (0, 1, 5)
        for boleto in (None, {}, {"line": "341<9>"}, {"line": ""})
        for name in TRICKY
    ]
    check(s, [*contexts, {}, {"offset": 2}, {"offset": 1, "party": None}])
    assert ("boleto", "line") in s.markers and ("party", "name") in s.markers and s._shapes
    assert ("amount",) not in s.markers and ("offset",) not in s.markers


def test_missing_is_not_none_and_equal_numbers_print_differently():
    s = stencil(
        "{{ x|default_if_none:'nada' }}|{% if x %}sim{% endif %}|{{ v }}|{{ v|floatformat }}"
        "|{% if y %}y{% endif %}"
    )
    values = [Decimal("1.0"), Decimal("1.00"), 1, 1.0, True, date(2026, 3, 7), None, "1"]
    contexts = [
        {"x": "s"},
        {"y": 1},
        {},
        {"x": None},
        {"x": ""},
        *({"x": 0, "v": v} for v in values),
    ]
    check(s, [*contexts, {"v": 1234567}])


def test_a_condition_that_compares_keys_the_value_one_that_tests_keys_its_truth():
    s = stencil("{% if kind == 'a' %}A{% elif flag %}F{% endif %}{{ flag.x }}")
    check(s, [{"kind": "a", "flag": {"x": 1}}, {"kind": "b"}, {"kind": "b", "flag": {"x": 2}}])
    assert s.markers == [("flag", "x")] and len(s._shapes) == 3


def test_translated_variables_key_the_shape_by_their_value():
    s = stencil(
        '{% translate word %}|{% translate "May" context when %}|{{ when }}|{{ _("Valor") }}'
    )
    words = ["Valor", "Vencimento", "nada & tal"]
    check(s, [{"word": word, "when": when} for word in words for when in ("month name", "")])
    assert s.enabled and len(s._shapes) == 6


def test_a_longer_path_read_in_another_way_is_not_filled_in():
    s = stencil("{{ party }} {{ party.name }} {{ title.doc }} {{ title.doc|length }}")
    check(s, [{"party": {"name": n}, "title": {"doc": n}} for n in TRICKY])
    assert s.markers == []


@pytest.mark.parametrize(
    "source",
    [
        "{% for x in items %}{{ x }}{% endfor %}",
        "{% with y=x %}{{ y }}{% endwith %}",
        "{{ items|random }}{{ x }}",
        '{% translate "Valor" as label %}{{ label }}',
        "{% load spy %}{% now 'Y' %}{{ x|brl }}",
    ],
)
def test_tags_it_does_not_know_render_directly(source):
    s = stencil(source)
    assert not s.enabled
    check(s, [{"items": ["a"], "x": Decimal("2.5")}])


def test_values_that_are_not_plain_render_directly():
    company = Company(code="E01", name="Empresa & Filha")
    s = stencil("{% if company == other %}igual{% endif %} {{ company.name }} {{ company }}")
    check(s, [{"company": company, "other": company}, {"company": company, "other": None}])


def test_too_many_shapes_turn_it_off():
    s = stencil("{% if n == 1 %}um{% endif %}{{ n }}")
    check(s, [{"n": n} for n in range(MAX_SHAPES + 10)])
    assert not s.enabled


def test_a_template_that_fails_raises_as_django_does():
    s = stencil(
        "{% blocktranslate count days=n %}{{ days }} dia{% plural %}dias{% endblocktranslate %}"
    )
    with pytest.raises(TemplateSyntaxError):
        s.render({"n": "três"})
    assert [s.render({"n": n}) for n in (1, 2, 1)] == [["1 dia"], ["dias"], ["1 dia"]]


@pytest.mark.parametrize("name", ["subject.txt", "body.txt", "body.html"])
def test_the_built_in_routine_templates_are_stenciled(name):
    for routine in ("aviso", "boleto"):
        s = StencilSet([(get_template(f"routines/email/{routine}/{name}").template, True)])
        assert s.enabled, (routine, name)


@cache
def aviso() -> StencilSet:
    names = ("subject.txt", "body.txt", "body.html")
    return StencilSet([(get_template(f"routines/email/aviso/{n}").template, True) for n in names])


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(max_size=12),
    offset=st.sampled_from([0, 1, 5, 30]),
    boleto=st.one_of(st.none(), st.fixed_dictionaries({"digitable_line": st.text(max_size=8)})),
    installment=st.integers(min_value=0, max_value=10**6),
)
def test_the_aviso_templates_match_django_for_any_values(text, offset, boleto, installment):
    values = {
        "title": {"document": text, "installment": installment},
        "company": {"name": text[::-1]},
        "party": {"name": text + "&"},
        "offset": offset,
        "amount": text,
        "due_date": text.upper(),
        "boleto": boleto,
    }
    with translation.override("pt-br"):
        assert aviso().render(values) == aviso().direct(values)
    assert aviso().enabled and aviso()._shapes
