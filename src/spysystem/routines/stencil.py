"""Rendering one set of compiled templates for many contexts, fast and exactly as Django would.

A routine renders the same templates for thousands of titles whose contexts differ mostly in
values that are only printed (document, name, amount, digitable line). ``StencilSet`` renders
the set once per *shape* with a unique marker in place of every printed-only value, then fills
each context's values in by string substitution, escaped exactly where Django would have
escaped them (the marker contains ``&``, so its escaped form shows where escaping happened).

What is printed-only is decided once, by walking the compiled nodes: a variable printed without
a filter (``{{ party.name }}``, a ``blocktranslate`` binding or placeholder) whose path is read
in no other way. Everything else that can change the output — the values in conditions,
filters, counters and translation contexts — makes up the shape; a condition that only tests a
value's truth contributes a boolean. A node it does not know (``for``, ``with``, ``include``,
custom tags…), a value it cannot compare exactly (anything but plain values: ``str``, numbers,
dates, dicts, lists) or too many shapes make it use Django's own rendering, so the output is
always what ``Template.render`` returns for the same context.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal

from django.template import Context, Template
from django.template.base import (
    FilterExpression,
    TextNode,
    TokenType,
    Variable,
    VariableDoesNotExist,
    VariableNode,
    render_value_in_context,
)
from django.template.defaulttags import (
    AutoEscapeControlNode,
    CommentNode,
    IfNode,
    LoadNode,
    TemplateLiteral,
)
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.utils import translation
from django.utils.safestring import SafeString

Path = tuple[str, ...]
OUT, TRUTH, VALUE = "out", "truth", "value"  # how a template reads a path
MAX_SHAPES = 256  # beyond this the contexts do not share shapes: render each one directly

_MISSING = object()  # a path that does not resolve (not the same as a None value)
_EXACT = (str, SafeString, int, bool, type(None))  # equal values print the same
_BY_REPR = (Decimal, float, date, datetime, time)  # 1.0 == 1.00 but they print differently
_CONSTANT_NODES = (TextNode, LoadNode, CommentNode)
_TRUTH_OPERATORS = ("or", "and", "not")
_VOLATILE_FILTERS = frozenset({"random", "timesince_filter", "timeuntil_filter"})  # not pure


class Unsupported(Exception):
    """The template uses something the stencil cannot reproduce exactly."""


class _Unfreezable(Exception):
    """A value that cannot be part of a shape (not a plain value)."""


def freeze(value: object) -> object:
    """A hashable stand-in for a plain value; equal only for values that print the same."""
    kind = type(value)
    if kind in _EXACT:
        return (kind, value)
    if kind in _BY_REPR:
        return (kind, repr(value))
    if kind is dict:
        return (dict, tuple((freeze(k), freeze(v)) for k, v in value.items()))
    if kind in (list, tuple):
        return (kind, tuple(freeze(item) for item in value))
    raise _Unfreezable(kind.__name__)


class _Reads:
    """The paths a template set reads and how (``OUT``, ``TRUTH``, ``VALUE``)."""

    def __init__(self) -> None:
        self.kinds: dict[Path, set[str]] = {}
        self.variables: dict[Path, Variable] = {}

    def variable(self, variable: object, kind: str) -> None:
        if not isinstance(variable, Variable) or variable.lookups is None:
            return  # a literal
        path = tuple(variable.lookups)
        self.kinds.setdefault(path, set()).add(VALUE if variable.translate else kind)
        if path not in self.variables:  # the path alone: ``translate`` flags its own Variable
            self.variables[path] = _path_variable(path)

    def expression(self, expression: FilterExpression | None, kind: str) -> None:
        if expression is None:
            return
        if expression.filters:
            kind = VALUE
            for func, args in expression.filters:
                if getattr(func, "__name__", "") in _VOLATILE_FILTERS:
                    raise Unsupported(func.__name__)
                for _lookup, arg in args:
                    self.variable(arg, VALUE)
        if expression.is_var:
            self.variable(expression.var, kind)

    def name(self, name: str) -> None:
        """A ``blocktranslate`` placeholder read straight from the context."""
        self.variable(_path_variable((name,)), OUT)


def _path_variable(path: Path) -> Variable:
    """A variable that resolves ``path`` and nothing else (no literal, no translation)."""
    variable = Variable(".".join(path))
    if variable.lookups != path or variable.translate:
        raise Unsupported(".".join(path))
    return variable


def _walk(nodes: Sequence, reads: _Reads) -> None:
    for node in nodes:
        kind = type(node)
        if kind in _CONSTANT_NODES:
            continue
        handler = _HANDLERS.get(kind)
        if handler is None:
            raise Unsupported(kind.__name__)
        handler(node, reads)


def _variable_node(node: VariableNode, reads: _Reads) -> None:
    reads.expression(node.filter_expression, OUT)


def _autoescape_node(node: AutoEscapeControlNode, reads: _Reads) -> None:
    _walk(node.nodelist, reads)


def _if_node(node: IfNode, reads: _Reads) -> None:
    for condition, nodelist in node.conditions_nodelists:
        if condition is not None:
            _condition(condition, reads, truth=True)
        _walk(nodelist, reads)


def _condition(condition: object, reads: _Reads, *, truth: bool) -> None:
    """``truth``: only the truth of this operand matters (``if x``, ``not x``, ``x or y``)."""
    if type(condition) is TemplateLiteral:
        reads.expression(condition.value, TRUTH if truth else VALUE)
        return
    operator = getattr(condition, "id", None)
    if operator is None:
        raise Unsupported(type(condition).__name__)
    for operand in (condition.first, condition.second):
        if operand is not None:
            _condition(operand, reads, truth=truth and operator in _TRUTH_OPERATORS)


def _translate_node(node: TranslateNode, reads: _Reads) -> None:
    if node.asvar:
        raise Unsupported("translate … as")
    reads.expression(node.filter_expression, VALUE)
    reads.expression(node.message_context, VALUE)


def _blocktranslate_node(node: BlockTranslateNode, reads: _Reads) -> None:
    if node.asvar:
        raise Unsupported("blocktranslate … asvar")
    reads.expression(node.message_context, VALUE)
    reads.expression(node.counter, VALUE)
    for expression in node.extra_context.values():
        reads.expression(expression, OUT)
    bound = {*node.extra_context, node.countervar}
    for token in (*node.singular, *(node.plural or ())):
        if token.token_type == TokenType.VAR and token.contents not in bound:
            reads.name(token.contents)


_HANDLERS = {
    VariableNode: _variable_node,
    AutoEscapeControlNode: _autoescape_node,
    IfNode: _if_node,
    TranslateNode: _translate_node,
    BlockTranslateNode: _blocktranslate_node,
}


def _printed_only(path: Path, kinds: dict[Path, set[str]]) -> bool:
    """Read only as printed text; any shorter path read only for its truth (which replacing a
    value inside a dict cannot change); no longer path read at all."""
    if kinds[path] != {OUT}:
        return False
    for other, other_kinds in kinds.items():
        if other[: len(path)] == path and len(other) > len(path):
            return False
        if path[: len(other)] == other and len(other) < len(path) and other_kinds != {TRUTH}:
            return False
    return True


def _lookup(values: dict, path: Path) -> tuple[bool, object]:
    """(True, leaf) when ``path`` goes through dicts only to a non-callable leaf — exactly what
    Django's variable resolution returns then; (False, None) otherwise."""
    current: object = values
    for bit in path:
        if type(current) is not dict or bit not in current:
            return False, None
        current = current[bit]
    if callable(current):
        return False, None
    return True, current


def _put(values: dict, path: Path, leaf: object) -> dict:
    """A copy of ``values`` with ``leaf`` at ``path`` (the dicts on the way copied, not changed)."""
    copy = dict(values)
    copy[path[0]] = leaf if len(path) == 1 else _put(values[path[0]], path[1:], leaf)
    return copy


class _Skeleton:
    """The outputs of one shape as ``str.format`` strings whose fields are the holes: what a
    marker printed, escaped or not."""

    def __init__(self, outputs: list[str], pattern: re.Pattern, token: str) -> None:
        self.holes: list[tuple[int, bool]] = []  # (marker, escaped), in field order
        self.formats = [self._format(output, pattern, token) for output in outputs]

    def _format(self, output: str, pattern: re.Pattern, token: str) -> str:
        pieces = pattern.split(output)  # text, marker, "&" or "&amp;", text, …
        texts = pieces[::3]
        if any(token in text for text in texts):
            raise Unsupported("a marker was changed while rendering")
        fields = []
        for marker, amp in zip(pieces[1::3], pieces[2::3], strict=True):
            hole = (int(marker), amp == "&amp;")
            if hole not in self.holes:
                self.holes.append(hole)
            fields.append(f"{{{self.holes.index(hole)}}}")
        literal = [text.replace("{", "{{").replace("}", "}}") for text in texts]
        return "".join(text + hole for text, hole in zip(literal, [*fields, ""], strict=True))

    def fill(self, leaves: list[object], printer: _Printer) -> list[str]:
        printed = [printer.printed(leaves[marker], escaped) for marker, escaped in self.holes]
        return [template.format(*printed) for template in self.formats]


_PLAIN_CONTEXT = Context(autoescape=False)
_ESCAPING_CONTEXT = Context(autoescape=True)


_REPEATED = frozenset({int, bool, Decimal, float, date})  # localized the same way all run long


class _Printer:
    """What a variable node prints for a value (``render_value_in_context``): a ``str`` is
    neither localized nor converted, only escaped — the common case, done directly; numbers
    and dates are localized once per value and language."""

    def __init__(self) -> None:
        self._known: dict[tuple, str] = {}

    def printed(self, value: object, escaped: bool) -> str:
        kind = type(value)
        if kind is str:
            return html.escape(value) if escaped else value
        if kind not in _REPEATED:
            return _localized(value, escaped)
        key = (freeze(value), escaped, translation.get_language())
        text = self._known.get(key)
        if text is None:
            text = self._known[key] = _localized(value, escaped)
        return text


def _localized(value: object, escaped: bool) -> str:
    return render_value_in_context(value, _ESCAPING_CONTEXT if escaped else _PLAIN_CONTEXT)


class StencilSet:
    """Render ``templates`` (each with its autoescape setting) for one context after another.

    ``render(values)`` returns the text of ``[t.render(Context(values, autoescape=a)) …]``; it is
    fast when ``values`` holds plain values only (as ``routines.emails.plain`` makes them) and
    the templates use the common tags (``if``, ``autoescape``, ``translate``,
    ``blocktranslate``, ``load``, comments, variables with or without filters). Shapes are kept
    for the life of the object: make one per run (or per company) and drop it.
    """

    def __init__(self, templates: Sequence[tuple[Template, bool]]) -> None:
        self.templates = list(templates)
        self.token = secrets.token_hex(8)
        self._pattern = re.compile(re.escape(f"\x1a{self.token}:") + r"(\d+)(&amp;|&)\x1a")
        self._shapes: dict[tuple, _Skeleton] = {}
        self._failing: set[tuple] = set()  # shapes whose rendering raises
        self._printer = _Printer()
        self.enabled = True
        try:
            self._plan()
        except Unsupported:
            self.enabled = False

    def _plan(self) -> None:
        reads = _Reads()
        for template, _autoescape in self.templates:
            _walk(template.nodelist, reads)
        self.markers = [p for p in reads.kinds if _printed_only(p, reads.kinds)]
        self.marker_variables = [reads.variables[p] for p in self.markers]
        self.keyed = [
            (reads.variables[p], kinds == {TRUTH})
            for p, kinds in reads.kinds.items()
            if p not in self.markers
        ]

    def render(self, values: dict) -> list[str]:
        """The outputs of every template for ``values``, in order."""
        if self.enabled:
            try:
                return self._stenciled(values)
            except Exception:  # not plain values after all (or a failing template): Django decides
                return self.direct(values)
        return self.direct(values)

    def direct(self, values: dict) -> list[str]:
        """Django's own rendering (the reference the stencil reproduces)."""
        return [t.render(Context(values, autoescape=a)) for t, a in self.templates]

    def _stenciled(self, values: dict) -> list[str]:
        key, leaves = self._shape(values)
        skeleton = self._shapes.get(key)
        if skeleton is None and key not in self._failing:
            skeleton = self._skeleton(values)
            if skeleton is None:
                self._failing.add(key)
            else:
                self._shapes[key] = skeleton
        if skeleton is None:
            return self.direct(values)
        return skeleton.fill(leaves, self._printer)

    def _shape(self, values: dict) -> tuple[tuple, list[object]]:
        context = Context(values)
        key: list[object] = [translation.get_language()]
        for variable, truth in self.keyed:
            key.append(_part(_resolve(variable, values, context), truth=truth))
        leaves: list[object] = []
        for path, variable in zip(self.markers, self.marker_variables, strict=True):
            found, leaf = _lookup(values, path)
            leaves.append(leaf)
            key.append(True if found else _part(_resolve(variable, values, context), truth=False))
        return tuple(key), leaves

    def _skeleton(self, values: dict) -> _Skeleton | None:
        """Render the shape of ``values`` with markers; None (render directly) when that fails
        (the direct rendering then raises or succeeds exactly as it would) or when there are
        too many shapes."""
        if len(self._shapes) + len(self._failing) >= MAX_SHAPES:
            self.enabled = False
            return None
        marked = values
        for index, path in enumerate(self.markers):
            if _lookup(values, path)[0]:
                marked = _put(marked, path, f"\x1a{self.token}:{index}&\x1a")
        try:
            outputs = self.direct(marked)
        except Exception:  # the direct rendering raises it (or not) as it would
            return None
        try:
            return _Skeleton(outputs, self._pattern, self.token)
        except Unsupported:
            self.enabled = False
            return None


def _part(value: object, *, truth: bool) -> object:
    """A value's part of the shape: its truth (what ``if`` tests; a missing value is false),
    else the value itself, frozen."""
    if truth:
        return value is not _MISSING and bool(value)
    return value if value is _MISSING else freeze(value)


def _resolve(variable: Variable, values: dict, context: Context) -> object:
    """What Django resolves ``variable`` to (``_MISSING`` when it does not), the common cases
    first: through dicts to a non-callable value, or through dicts to a ``None`` that lacks
    the next attribute (Django tries and fails the same look-ups, more slowly)."""
    current: object = values
    for bit in variable.lookups:
        if type(current) is dict and bit in current:
            current = current[bit]
        elif current is None and not hasattr(None, bit):
            return _MISSING
        else:
            break
    else:
        if not callable(current) and not variable.translate:
            return current
    try:
        return variable.resolve(context)
    except VariableDoesNotExist:
        return _MISSING
