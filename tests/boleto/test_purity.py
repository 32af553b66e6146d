"""The boleto package must stay pure Python: no Django import, direct or indirect."""

import ast
import subprocess
import sys
from pathlib import Path

import spysystem.boleto

PACKAGE_DIR = Path(spysystem.boleto.__file__).parent


def test_importing_the_whole_package_loads_no_django_module():
    code = (
        "import sys, pkgutil, importlib, spysystem.boleto as b\n"
        "for m in pkgutil.walk_packages(b.__path__, 'spysystem.boleto.'):\n"
        "    importlib.import_module(m.name)\n"
        "loaded = sorted(n for n in sys.modules if n == 'django' or n.startswith('django.'))\n"
        "print(','.join(loaded))\n"
    )
    src = str(PACKAGE_DIR.parents[1])
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": src, "PATH": ""},
        timeout=60,
    )
    assert done.stdout.strip() == ""


def test_no_source_file_imports_django():
    for path in PACKAGE_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n.split(".")[0] == "django" for n in names), path
