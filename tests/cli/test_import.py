"""``spy import titles``: the same import from a file or stdin, exit codes and messages."""

from __future__ import annotations

import io
import json

import pytest

from spysystem.cli import main
from spysystem.finance.models import Title
from spysystem.watch.models import Change


@pytest.fixture
def party(make_company, make_party):
    make_company("E01")
    return make_party("Cliente A")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write_csv(tmp_path, party, amount: str = "1.234,56"):
    path = tmp_path / "titulos.csv"
    path.write_text(
        "empresa;carteira;pessoa;documento;vencimento;valor\n"
        f"E01;pagar;{party.document};NF-1;10/12/2026;{amount}\n"
    )
    return str(path)


def test_imports_a_csv_file_and_attributes_the_change(capsys, tmp_path, party, make_user):
    make_user("joana")
    code, out, _ = run(capsys, "import", "titles", write_csv(tmp_path, party))
    assert code == 0 and "1 título(s) foram criado(s)" in out
    path = write_csv(tmp_path, party, amount="10,00")
    code, out, _ = run(capsys, "import", "titles", path, "--user", "joana")
    assert code == 0 and "1 alterado(s)" in out
    change = Change.objects.get()
    assert (change.actor, change.origin) == ("joana", "import")


def test_json_from_stdin_with_dry_run(capsys, monkeypatch, party):
    item = {"empresa": "E01", "carteira": "pagar", "pessoa": party.document, "documento": "N"}
    item |= {"vencimento": "10/12/2026", "valor": "5"}
    stdin = io.TextIOWrapper(io.BytesIO(json.dumps([item]).encode()))
    monkeypatch.setattr("sys.stdin", stdin)
    code, out, _ = run(capsys, "import", "titles", "-", "--format", "json", "--dry-run")
    assert code == 0 and "seriam criado(s)" in out and "Nada foi gravado" in out
    assert not Title.objects.exists()


def test_broken_file_exits_2_with_each_problem_on_stderr(capsys, tmp_path, party):
    code, out, err = run(capsys, "import", "titles", write_csv(tmp_path, party, amount="abc"))
    assert code == 2 and out == ""
    assert "erro: linha 2 [valor]: Informe um valor numérico" in err
    assert "nada foi gravado" in err
    assert not Title.objects.exists()


def test_missing_file_and_unknown_user_are_refused(capsys, tmp_path, party):
    code, _, err = run(capsys, "import", "titles", str(tmp_path / "nao-existe.csv"))
    assert code == 2 and "não foi possível ler" in err
    code, _, err = run(capsys, "import", "titles", write_csv(tmp_path, party), "--user", "zé")
    assert code == 2 and "não existe" in err


def test_read_only_user_may_not_import(capsys, tmp_path, party, make_user):
    make_user("leitor", role="readonly")
    code, _, err = run(capsys, "import", "titles", write_csv(tmp_path, party), "--user", "leitor")
    assert code == 1 and "não pode alterar títulos" in err
    assert not Title.objects.exists()
