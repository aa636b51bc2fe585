"""spatial_analysis must stay pure: importing it never loads Django or a DB driver."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_importing_spatial_analysis_loads_no_django_or_psycopg():
    code = (
        "import sys, importlib, pkgutil, spatial_analysis\n"
        "for m in pkgutil.iter_modules(spatial_analysis.__path__):\n"
        "    importlib.import_module('spatial_analysis.' + m.name)\n"
        "bad = sorted(k for k in sys.modules if k.split('.')[0] in ('django', 'psycopg', 'psycopg2'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip() == ""


def test_modules_import_only_each_others_public_names():
    """Modules share code through public names (issue 8: emerging.py took six private names
    from hotspots.py); the private module ``_validation`` holds the shared checks."""
    import ast

    private = []
    for path in sorted((REPO / "spatial_analysis").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("spatial_analysis")):
                private += [f"{path.name}: {node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
    assert private == []
