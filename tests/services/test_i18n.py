"""English and Spanish: the Spanish catalogue leaves no string of the templates, the
Python code or the JavaScript untranslated, and pages follow Accept-Language and the
language switch."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

SERVICES = Path(__file__).resolve().parents[2] / "services"
TEMPLATES = sorted((SERVICES / "templates").rglob("*.html"))
GETTEXT = shutil.which("msgfmt") and shutil.which("xgettext")
#: visible words a template may carry untranslated: format names and the like
NOT_WORDS = {"PDF", "HTML", "CSV", "GeoJSON", "GPKG"}


@pytest.mark.skipif(not GETTEXT, reason="Debian's gettext is not installed")
@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_spanish_catalogue_translates_every_string(tmp_path, domain):
    """Extract the strings afresh from a copy of the code (as a maintainer's makemessages
    would), merge them into a copy of the checked-in catalogue, and count with msgfmt."""
    copy = tmp_path / "services"
    shutil.copytree(SERVICES, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    catalogue = copy / "locale" / "es" / "LC_MESSAGES" / f"{domain}.po"
    assert catalogue.exists(), f"no checked-in catalogue {catalogue.name}"
    cwd = os.getcwd()
    os.chdir(copy)
    try:
        call_command("makemessages", locale=["es"], domain=domain, no_location=True, verbosity=0,
                     **({"ignore_patterns": ["static/*"]} if domain == "django" else {}))
    finally:
        os.chdir(cwd)
    stats = subprocess.run(["msgfmt", "--check-format", "--statistics", "-o", os.devnull, str(catalogue)],
                           capture_output=True, text=True, check=True).stderr
    assert re.fullmatch(r"\d+ translated messages?\.\n", stats), stats


@pytest.mark.parametrize("template", TEMPLATES, ids=[t.name for t in TEMPLATES])
def test_templates_show_no_text_outside_translation_tags(template):
    text = template.read_text()
    for attribute in re.findall(r'\b(?:aria-label|alt|title|placeholder)="([^"]*)"', text):
        assert attribute.startswith("{%") or not re.search(r"[A-Za-z]", attribute), (template.name, attribute)
    visible = re.sub(r"(?s)<(style|script)\b.*?</\1>", " ", text)
    visible = re.sub(r"(?s)\{% blocktranslate.*?\{% endblocktranslate %\}|\{%.*?%\}|\{\{.*?\}\}", " ", visible)
    visible = re.sub(r"(?s)<[^>]*>|&\w+;", " ", visible)
    words = set(re.findall(r"[A-Za-z][A-Za-z*-]+", visible)) - NOT_WORDS
    assert not words, f"{template.name}: untranslated {sorted(words)}"


@pytest.mark.postgis
def test_accept_language_and_the_language_switch(client, db):
    english = client.get("/dashboard/").content.decode()
    assert 'lang="en"' in english and "CompStat dashboard" in english
    spanish = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="es-BZ,es;q=0.9").content.decode()
    assert 'lang="es"' in spanish and "Tablero CompStat" in spanish and "Datos abiertos" in spanish
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/data/"})
    assert response.status_code == 302 and response["Location"] == "/data/"
    assert "Diccionario de datos" in client.get("/data/").content.decode()  # the cookie, without Accept-Language


@pytest.mark.postgis
def test_layer_titles_follow_the_language(client, db):
    layers = client.get("/api/layers/", HTTP_ACCEPT_LANGUAGE="es").json()["layers"]
    titles = {layer["name"]: layer["title"] for layer in layers}
    assert titles["kde"] == "Puntos calientes por densidad kernel" and titles["hotspots"] == "Puntos calientes Gi*"


@pytest.mark.postgis
def test_boundary_sets_in_the_manifest_carry_translated_labels(client, reference_data):
    labels = {lang: {b["slug"]: b["label"] for b in client.get("/api/layers/", HTTP_ACCEPT_LANGUAGE=lang).json()["boundaries"]}
              for lang in ("en", "es")}
    assert labels["en"] == {"country": "Belize (national outline)", "districts": "Districts of Belize"}
    assert labels["es"] == {"country": "Belice (contorno nacional)", "districts": "Distritos de Belice"}


def test_every_public_column_of_a_layer_kind_has_a_label():
    """The map's popups name a feature's columns by these labels (services.layers.COLUMN_LABELS)."""
    from services.layers import COLUMN_LABELS, REGISTRY

    columns = {c for kind in REGISTRY.values() for c in kind.public_columns or () if c != "id"}
    assert columns <= set(COLUMN_LABELS), sorted(columns - set(COLUMN_LABELS))
