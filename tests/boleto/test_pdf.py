"""The boleto PDF: it opens, shows the line and the amount, and its bars decode to the barcode."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date

import pytest

from spysystem.boleto import BankAccount, BoletoData, Party, compute, render_pdf
from spysystem.boleto.pdf import BARCODE_HEIGHT_MM, NARROW_BAR_MM, PAGE_WIDTH, QUIET_ZONE_MM

PT_PER_MM = 72 / 25.4
ISSUED = date(2026, 1, 5)
BENEFICIARY = Party(
    "Spy Comércio de Peças Ltda",
    "12.345.678/0001-95",
    ("Rua das Acácias, 123 - Centro", "São Paulo/SP - CEP 01010-000"),
)
PAYER = Party("José da Conceição Araújo", "123.456.789-09", ("Av. Brasil, 4567", "Curitiba/PR"))
I25 = {
    "nnwwn": "0", "wnnnw": "1", "nwnnw": "2", "wwnnn": "3", "nnwnw": "4",
    "wnwnn": "5", "nwwnn": "6", "nnnww": "7", "wnnwn": "8", "nwnwn": "9",
}  # fmt: skip


def _boleto(bank_code: str = "341", amount: str = "1234.56", **kwargs) -> BoletoData:
    accounts = {
        "341": BankAccount("341", "1248", "02124", wallet="109"),
        "748": BankAccount("748", "0156", agreement="85305", extras={"posto": "05"}),
    }
    computed = compute(
        account=accounts[bank_code],
        nosso_numero="19200004" if bank_code == "748" else "10152",
        due_date=date(2026, 3, 20),
        amount=amount,
        reference_date=ISSUED,
    )
    return BoletoData.from_computed(
        computed,
        beneficiary=BENEFICIARY,
        payer=PAYER,
        document_number="NF 4567/1",
        document_date=ISSUED,
        instructions=("Não receber após 30 dias do vencimento.",),
        fine_interest="Após o vencimento, multa de 2% e juros de 1% ao mês.",
        **kwargs,
    )


def _content(pdf: bytes) -> str:
    return pdf.decode("latin-1")


def _bars(pdf: bytes) -> list[tuple[float, float, float]]:
    """Filled rectangles (x, width, height) in mm, left to right: the barcode's bars."""
    found = re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) (-?[\d.]+) re f", _content(pdf))
    bars = [(float(x), float(w), abs(float(h))) for x, _y, w, h in found]
    return sorted((x / PT_PER_MM, w / PT_PER_MM, h / PT_PER_MM) for x, w, h in bars)


def _decode_i25(bars: list[tuple[float, float, float]]) -> str:
    """Read the digits back from bar and gap widths (narrow/wide split at twice the narrow)."""
    elements = []
    for (x, w, _), (next_x, _, _) in zip(bars, [*bars[1:], (bars[-1][0] + 99, 0, 0)], strict=True):
        elements += [w, next_x - x - w]
    kinds = "".join("w" if width > 2 * NARROW_BAR_MM else "n" for width in elements)
    assert kinds[:4] == "nnnn", "start pattern"
    body = kinds[4:-4]  # drop start and the stop's wide bar, narrow space, narrow bar, tail
    assert kinds[-4:-1] == "wnn", "stop pattern"
    digits = []
    for start in range(0, len(body), 10):
        chunk = body[start : start + 10]
        digits += [I25[chunk[0::2]], I25[chunk[1::2]]]
    return "".join(digits)


def test_pdf_opens_and_shows_line_amount_and_bank():
    boleto = _boleto()
    pdf = render_pdf([boleto], compress=False)
    text = _content(pdf)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    for shown in (
        boleto.barcode.formatted_line,
        "R$ 1.234,56",
        "341-7",
        "109/00010152-7",
        "20/03/2026",
        "05/01/2026",
        "12.345.678/0001-95",
        "123.456.789-09",
        "NF 4567/1",
        "Recibo do Pagador",
        "Autenticação mecânica - Ficha de Compensação",
    ):
        assert shown in text, shown


def test_barcode_bars_decode_back_to_the_44_digits_at_febraban_size():
    boleto = _boleto()
    bars = _bars(render_pdf([boleto], compress=False))
    assert len(bars) == 2 + 22 * 5 + 2  # start + 22 digit pairs + stop
    assert _decode_i25(bars) == boleto.barcode.barcode
    widths = {round(w, 3) for _, w, _ in bars}
    assert widths == {round(NARROW_BAR_MM, 3), round(3 * NARROW_BAR_MM, 3)}
    assert {round(h, 2) for _, _, h in bars} == {BARCODE_HEIGHT_MM}
    left, right = bars[0][0], bars[-1][0] + bars[-1][1]
    assert 102 < right - left < 104
    assert left >= QUIET_ZONE_MM
    assert PAGE_WIDTH - right >= QUIET_ZONE_MM


def test_several_boletos_make_one_page_each():
    boletos = [_boleto(), _boleto("748", "10.00"), _boleto(amount="0.50")]
    pdf = render_pdf(boletos, compress=False)
    assert len(re.findall(rb"/Type /Page\b(?!s)", pdf)) == 3
    for boleto in boletos:
        assert boleto.barcode.formatted_line in _content(pdf)
    assert "748-X" in _content(pdf)


def test_compressed_pdf_is_the_default_and_smaller():
    boleto = _boleto()
    assert len(render_pdf([boleto])) < len(render_pdf([boleto], compress=False))


def test_text_outside_latin1_does_not_break_the_page():
    boleto = _boleto(guarantor=Party("Avalista “Ω” – 😀 Ltda", "11.222.333/0001-81"))
    assert 'Sacador/Avalista: Avalista "?" - ? Ltda' in _content(
        render_pdf([boleto], compress=False)
    )


def test_an_empty_batch_is_an_error():
    with pytest.raises(ValueError, match="at least one boleto"):
        render_pdf([])


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdftotext_reads_the_formatted_line(tmp_path):
    boleto = _boleto()
    path = tmp_path / "boleto.pdf"
    path.write_bytes(render_pdf([boleto]))
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert boleto.barcode.formatted_line in text
    assert "R$ 1.234,56" in text


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("zbarimg") is None,
    reason="poppler-utils and zbar-tools not installed",
)
def test_a_barcode_reader_decodes_the_rendered_page(tmp_path):
    boleto = _boleto()
    path = tmp_path / "boleto.pdf"
    path.write_bytes(render_pdf([boleto]))
    subprocess.run(["pdftoppm", "-r", "300", "-png", str(path), str(tmp_path / "page")], check=True)
    image = next(tmp_path.glob("page*.png"))
    read = subprocess.run(
        ["zbarimg", "--raw", "-q", "-Sdisable", "-Si25.enable", str(image)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert read.stdout.split() == [boleto.barcode.barcode]


@pytest.mark.parametrize("align", ["L", "R", "C"])
@pytest.mark.parametrize(
    ("style", "size", "text"),
    [
        ("", 5.5, "Agência / Código do Beneficiário"),
        ("B", 11, "34191.09008 01000.161248"),
        ("", 8, "José da Conceição Araújo - 123.456.789-09"),
        ("B", 14, "341-7"),
        ("B", 8, ""),
    ],
)
def test_the_fast_text_path_draws_where_fpdf_cell_would(align, style, size, text):
    from fpdf import FPDF

    from spysystem.boleto.pdf import _cell

    def page(draw) -> bytes:
        pdf = FPDF(unit="mm", format="A4")
        pdf.set_compression(False)
        pdf.add_page()
        pdf.set_font("helvetica", style, size)
        draw(pdf)
        return bytes(pdf.pages[1].contents)

    def with_cell(pdf):
        pdf.set_xy(31.4, 102.25)
        pdf.cell(87.6, 3.6, text, align=align)

    assert page(lambda pdf: _cell(pdf, 31.4, 102.25, 87.6, 3.6, text, align=align)) == page(
        with_cell
    )
