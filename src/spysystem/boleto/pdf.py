"""Boleto PDF with fpdf2: recibo do pagador + ficha de compensação, one A4 page per boleto.

The barcode is FEBRABAN's Interleaved 2 of 5: narrow bar 0.254 mm, wide bar 3 × narrow (0.762 mm),
13 mm high, about 103 mm long, with quiet zones of at least 6.35 mm on both sides kept blank.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fpdf import FPDF

from .document import BoletoData, Party
from .formatting import brl, date_br

PAGE_WIDTH = 210.0
PAGE_HEIGHT = 297.0
MARGIN = 10.0
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
RIGHT_COLUMN = 50.0
NARROW_BAR_MM = 0.254
WIDE_BAR_MM = 3 * NARROW_BAR_MM
BARCODE_HEIGHT_MM = 13.0
QUIET_ZONE_MM = 6.35
BARCODE_X = MARGIN + 2.0
HEADER_HEIGHT = 9.0
SLIP_ROWS = (9.0, 13.0, 9.0, 9.0, 45.0, 18.0)
SLIP_TOP = PAGE_HEIGHT - 15.0 - BARCODE_HEIGHT_MM - 3.0 - sum(SLIP_ROWS) - HEADER_HEIGHT
LABEL_SIZE = 5.5
VALUE_SIZE = 8.5
_TYPOGRAPHY = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"'})


@dataclass(frozen=True)
class _Box:
    """One labelled cell of the form: position, size, label and value lines."""

    x: float
    y: float
    w: float
    h: float
    label: str
    lines: Sequence[str | tuple[str, str]] = ()
    align: str = "L"
    bold: bool = False


def render_pdf(boletos: Iterable[BoletoData], *, compress: bool = True) -> bytes:
    """One PDF with one page per boleto, in order (batch printing). ``compress=False`` leaves the
    content streams readable, for tests. Raises ``ValueError`` when ``boletos`` is empty."""
    pdf = _new_document(compress)
    for boleto in boletos:
        _page(pdf, boleto)
    if pdf.page == 0:
        raise ValueError("render_pdf needs at least one boleto")
    return bytes(pdf.output())


def _new_document(compress: bool) -> FPDF:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_compression(compress)
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_creator("Spy System")
    pdf.set_title("Boleto")
    pdf.set_line_width(0.2)
    return pdf


def _page(pdf: FPDF, boleto: BoletoData) -> None:
    """Receipt at the top; the ficha de compensação at the foot, its bars 15 mm above the edge."""
    pdf.add_page()
    _receipt(pdf, boleto, top=MARGIN)
    _cut_line(pdf, SLIP_TOP - 10)
    bottom = _slip(pdf, boleto, top=SLIP_TOP)
    _barcode(pdf, boleto, top=bottom + 3)


# --- recibo do pagador


def _receipt(pdf: FPDF, boleto: BoletoData, *, top: float) -> None:
    """The payer's receipt at the top of the page."""
    y = _header(pdf, boleto, top=top, title="Recibo do Pagador")
    for box in _receipt_boxes(boleto, y):
        _draw_box(pdf, box)
    _small_text(pdf, MARGIN + 140, y + 67, "Autenticação mecânica")


def _receipt_boxes(boleto: BoletoData, y: float) -> list[_Box]:
    w3 = (CONTENT_WIDTH - 45 - 50) / 2
    address = [", ".join(boleto.beneficiary.address)]
    return [
        _Box(MARGIN, y, 95, 9, "Beneficiário", [_party_line(boleto.beneficiary)]),
        _Box(MARGIN + 95, y, 45, 9, "Agência / Código do Beneficiário", [boleto.agency_code]),
        _Box(MARGIN + 140, y, 50, 9, "Vencimento", [_due(boleto)], "R", True),
        _Box(MARGIN, y + 9, 95, 9, "Pagador", [_party_line(boleto.payer)]),
        _Box(MARGIN + 95, y + 9, 45, 9, "Nosso Número", [boleto.nosso_numero]),
        _Box(MARGIN + 140, y + 9, 50, 9, "(=) Valor do Documento", [_amount(boleto)], "R", True),
        _Box(MARGIN, y + 18, w3, 9, "Nº do Documento", [boleto.document_number]),
        _Box(MARGIN + w3, y + 18, w3, 9, "Data do Documento", [date_br(boleto.document_date)]),
        _Box(MARGIN + 2 * w3, y + 18, 45, 9, "Carteira / Espécie", [_wallet_kind(boleto)]),
        _Box(MARGIN + 140, y + 18, 50, 9, "(=) Valor Cobrado"),
        _Box(MARGIN, y + 27, CONTENT_WIDTH, 9, "Endereço do Beneficiário", address),
        _Box(MARGIN, y + 36, CONTENT_WIDTH, 30, "Instruções", _instructions(boleto)),
    ]


def _cut_line(pdf: FPDF, y: float) -> None:
    _small_text(pdf, MARGIN, y - 3, "Corte na linha pontilhada", align="R", width=CONTENT_WIDTH)
    with pdf.local_context():
        pdf.set_dash_pattern(dash=1, gap=1)
        pdf.line(MARGIN, y, PAGE_WIDTH - MARGIN, y)


# --- ficha de compensação


def _slip(pdf: FPDF, boleto: BoletoData, *, top: float) -> float:
    """The ficha de compensação grid; returns its bottom y."""
    y = _header(pdf, boleto, top=top, title=None)
    for box in _slip_boxes(boleto, y):
        _draw_box(pdf, box)
    return y + sum(SLIP_ROWS)


def _slip_boxes(boleto: BoletoData, y: float) -> list[_Box]:
    left = CONTENT_WIDTH - RIGHT_COLUMN
    right_x = MARGIN + left
    beneficiary = [_party_line(boleto.beneficiary), ", ".join(boleto.beneficiary.address)]
    return [
        _Box(MARGIN, y, left, 9, "Local de Pagamento", [boleto.payment_place]),
        _Box(right_x, y, RIGHT_COLUMN, 9, "Vencimento", [_due(boleto)], "R", True),
        _Box(MARGIN, y + 9, left, 13, "Beneficiário", beneficiary),
        _Box(
            right_x,
            y + 9,
            RIGHT_COLUMN,
            13,
            "Agência / Código do Beneficiário",
            [boleto.agency_code],
            "R",
        ),
        *_document_row(boleto, y + 22),
        _Box(right_x, y + 22, RIGHT_COLUMN, 9, "Nosso Número", [boleto.nosso_numero], "R"),
        *_value_row(boleto, y + 31),
        _Box(
            right_x, y + 31, RIGHT_COLUMN, 9, "(=) Valor do Documento", [_amount(boleto)], "R", True
        ),
        _Box(
            MARGIN,
            y + 40,
            left,
            45,
            "Instruções (texto de responsabilidade do beneficiário)",
            _instructions(boleto),
        ),
        *_deduction_column(right_x, y + 40),
        _Box(MARGIN, y + 85, CONTENT_WIDTH, 18, "Pagador", _payer_lines(boleto)),
    ]


def _document_row(boleto: BoletoData, y: float) -> list[_Box]:
    cells = [
        (28, "Data do Documento", date_br(boleto.document_date)),
        (37, "Nº do Documento", boleto.document_number),
        (20, "Espécie Doc.", boleto.document_kind),
        (15, "Aceite", boleto.acceptance),
        (40, "Data do Processamento", date_br(boleto.processing_date)),
    ]
    return _row(cells, y)


def _value_row(boleto: BoletoData, y: float) -> list[_Box]:
    cells = [
        (28, "Uso do Banco", ""),
        (22, "Carteira", boleto.wallet),
        (15, "Espécie", "R$"),
        (35, "Quantidade", ""),
        (40, "(x) Valor", ""),
    ]
    return _row(cells, y)


def _row(cells: list[tuple[float, str, str]], y: float) -> list[_Box]:
    boxes, x = [], MARGIN
    for width, label, value in cells:
        boxes.append(_Box(x, y, width, 9, label, [value] if value else []))
        x += width
    return boxes


def _deduction_column(x: float, y: float) -> list[_Box]:
    labels = (
        "(-) Desconto / Abatimento",
        "(-) Outras Deduções",
        "(+) Mora / Multa",
        "(+) Outros Acréscimos",
        "(=) Valor Cobrado",
    )
    return [_Box(x, y + 9 * i, RIGHT_COLUMN, 9, label) for i, label in enumerate(labels)]


def _instructions(boleto: BoletoData) -> list[str]:
    lines = list(boleto.instructions)
    if boleto.fine_interest:
        lines.append(boleto.fine_interest)
    return lines


def _payer_lines(boleto: BoletoData) -> list[str | tuple[str, str]]:
    lines = [_party_line(boleto.payer), ", ".join(boleto.payer.address)]
    if boleto.guarantor:
        guarantor = boleto.guarantor
        lines.append((f"Sacador/Avalista: {guarantor.name}", guarantor.document))
    return lines


# --- pieces


def _header(pdf: FPDF, boleto: BoletoData, *, top: float, title: str | None) -> float:
    """Bank name | code-dv | linha digitável (or a title); returns the y below it."""
    bank = boleto.bank
    _shrink_to_fit(pdf, _clean(bank.name), 50, size=11)
    _cell(pdf, MARGIN, top + 2, 50, 7, _clean(bank.name))
    pdf.set_line_width(0.6)
    pdf.line(MARGIN + 52, top + 1, MARGIN + 52, top + 9)
    pdf.line(MARGIN + 72, top + 1, MARGIN + 72, top + 9)
    pdf.line(MARGIN, top + 9, PAGE_WIDTH - MARGIN, top + 9)
    pdf.set_line_width(0.2)
    pdf.set_font("helvetica", "B", 14)
    _cell(pdf, MARGIN + 52, top + 2, 20, 7, bank.label, align="C")
    _header_right(pdf, boleto, top=top, title=title)
    return top + 9


def _header_right(pdf: FPDF, boleto: BoletoData, *, top: float, title: str | None) -> None:
    width = CONTENT_WIDTH - 74
    line = boleto.barcode.formatted_line
    if title:
        pdf.set_font("helvetica", "B", 7)
        _cell(pdf, MARGIN + 74, top, width, 3, title, align="R")
    _shrink_to_fit(pdf, line, width, size=11)
    _cell(pdf, MARGIN + 74, top + (3 if title else 2), width, 6 if title else 7, line, align="R")


def _draw_box(pdf: FPDF, box: _Box) -> None:
    pdf.rect(box.x, box.y, box.w, box.h)
    pdf.set_font("helvetica", "", LABEL_SIZE)
    _cell(pdf, box.x + 0.8, box.y + 0.4, box.w - 1.6, 2.4, _clean(box.label))
    pdf.set_font("helvetica", "B" if box.bold else "", VALUE_SIZE)
    line_height = 3.6
    for index, line in enumerate(box.lines):
        top = box.y + 3.2 + index * line_height
        if top + line_height > box.y + box.h + 0.3:
            break
        text = _fit_line(pdf, line, box.w - 1.6)
        _cell(pdf, box.x + 0.8, top, box.w - 1.6, line_height, text, align=box.align)


def _barcode(pdf: FPDF, boleto: BoletoData, *, top: float) -> None:
    """The I2of5 bars at FEBRABAN size (fpdf2's ``w`` is the wide bar) and the label above."""
    with pdf.local_context(fill_color=(0, 0, 0)):
        pdf.interleaved2of5(
            boleto.barcode.barcode, BARCODE_X, top, w=WIDE_BAR_MM, h=BARCODE_HEIGHT_MM
        )
    _small_text(
        pdf,
        MARGIN + 140,
        top - 2.4,
        "Autenticação mecânica - Ficha de Compensação",
        width=RIGHT_COLUMN,
        align="R",
    )


def _shrink_to_fit(pdf: FPDF, text: str, width: float, *, size: float) -> None:
    """Bold Helvetica at ``size`` points, smaller (down to 7) until ``text`` fits ``width`` mm."""
    pdf.set_font("helvetica", "B", size)
    while _width(pdf, text) > width and size > 7:
        size -= 0.5
        pdf.set_font_size(size)


def _small_text(
    pdf: FPDF, x: float, y: float, text: str, *, align: str = "L", width: float = 50
) -> None:
    pdf.set_font("helvetica", "", 6)
    _cell(pdf, x, y, width, 2.5, _clean(text), align=align)


def _cell(
    pdf: FPDF, x: float, y: float, w: float, h: float, text: str, *, align: str = "L"
) -> None:
    """Draw ``text`` exactly where ``pdf.cell(w, h, text, align=align)`` at (x, y) draws it (same
    offsets: the cell margin, vertical centring on the font size), through ``pdf.text``.

    Why: a boleto has ~75 text cells and ``cell`` runs fpdf2's text-shaping and markdown pass
    on each, which was two thirds of the rendering time; core fonts need none of it (issue 7,
    ``boleto_pdf_per_s``).
    """
    if not text:  # cell() draws nothing for an empty text (text() would write an empty BT/ET)
        return
    if align == "L":
        dx = pdf.c_margin
    elif align == "R":
        dx = w - pdf.c_margin - _width(pdf, text)
    else:
        dx = (w - _width(pdf, text)) / 2
    pdf.text(x + dx, y + 0.5 * h + 0.3 * pdf.font_size, text)


def _width(pdf: FPDF, text: str) -> float:
    """``pdf.get_string_width(text)`` for the core fonts used here (no spacing, no stretching),
    without its text-shaping pass. ``text`` must be Latin-1 (``_clean`` output, or the ASCII of
    a bank label or digitable line): a character outside the font's table raises ``KeyError``."""
    return pdf.current_font.get_text_width(text, pdf.font_size_pt, None)[1] / pdf.k


def _fit_line(pdf: FPDF, line: str | tuple[str, str], width: float) -> str:
    """A value line that fits ``width``; for ``(name, document)`` only the name is shortened."""
    if isinstance(line, str):
        return _fit(pdf, _clean(line), width)
    name, document = (_clean(part) for part in line)
    if not document:
        return _fit(pdf, name, width)
    tail = f" - {document}"
    return _fit(pdf, name, width - _width(pdf, tail)) + tail


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """``text`` cut with an ellipsis so it fits ``width`` at the current font."""
    if _width(pdf, text) <= width:
        return text
    while text and _width(pdf, text + "...") > width:
        text = text[:-1]
    return text.rstrip() + "..."


def _clean(text: str) -> str:
    """Text the core fonts can draw: typographic marks simplified, the rest outside Latin-1 → ?."""
    return text.translate(_TYPOGRAPHY).encode("latin-1", "replace").decode("latin-1")


def _party_line(party: Party) -> tuple[str, str]:
    return party.name, party.document


def _due(boleto: BoletoData) -> str:
    return date_br(boleto.due_date) if boleto.due_date else "Contra-apresentação"


def _amount(boleto: BoletoData) -> str:
    return brl(boleto.amount) if boleto.amount else ""


def _wallet_kind(boleto: BoletoData) -> str:
    return f"{boleto.wallet} / R$" if boleto.wallet else "R$"
