"""The monthly bulletin: the PDF renders, its first page (pdftoppm) shows the map and the
CompStat table, its figures are the public layer's, and /bulletins/ serves it."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from services import bulletins
from services.jobs import create_run, execute_run
from services.layers import CHOROPLETH
from services.projections import refresh_incidents

pytestmark = pytest.mark.postgis
POPPLER = shutil.which("pdftoppm") and shutil.which("pdftotext")


@pytest.fixture
def layers(reference_data, demo_incidents, settings, tmp_path):
    settings.BCO_BULLETIN_DIR = tmp_path / "bulletins"
    demo_incidents(rows=600)
    refresh_incidents()
    execute_run(create_run("hotspots", parameters={"cell_size": 3000}).pk)
    execute_run(create_run("area-counts").pk)
    return bulletins.last_complete_month()


def _text(pdf, *, first_page_only: bool = False) -> str:
    pages = ["-f", "1", "-l", "1"] if first_page_only else []
    return subprocess.run(["pdftotext", "-layout", *pages, str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.mark.skipif(not POPPLER, reason="Debian's poppler-utils is not installed")
def test_pdf_first_page_shows_the_map_and_the_table(layers, output_dir):
    month = layers
    html, pdf = bulletins.build(month)
    page = html.read_text()
    assert all(f'<img id="{figure}" src="data:image/png;base64,' in page for figure in ("map", "trend"))
    assert "latest population figure: 2010 (5 districts) and 2022 (Stann Creek)." in page
    stem = output_dir / "bulletin_page1"
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(stem)], check=True)
    pixels = np.asarray(Image.open(f"{stem}.png").convert("RGB")).astype(int)
    ramp = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in CHOROPLETH])
    on_ramp = (np.abs(pixels[:, :, None, :] - ramp[None, None]).sum(-1) < 12).any(-1)
    assert on_ramp.sum() > 2000, on_ramp.sum()  # the choropleth map is drawn
    assert "Data caveats" in _text(pdf) and "How these figures are made" in _text(pdf)
    text = _text(pdf, first_page_only=True)  # the table is on the page the PNG shows
    assert "CompStat" in text and "Belize" in text and "Cayo" in text
    from services import compstat

    table = compstat.table("public", "districts")
    row = next(r for r in table.rows if r.name == "Cayo")
    count = dict(row.months)[month]
    cayo = next(line for line in text.splitlines() if line.strip().startswith("Cayo"))
    assert cayo.split()[1] == ("–" if count is None else str(count))


@pytest.mark.skipif(not POPPLER, reason="Debian's poppler-utils is not installed")
def test_spanish_district_bulletin(layers, output_dir):
    html, pdf = bulletins.build(layers, lang="es", district="cayo")
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(output_dir / "bulletin_es_cayo_page1")], check=True)
    text = _text(pdf)
    assert "Boletín" in text and "Cayo" in text and "Advertencias sobre los datos" in text
    assert pdf.name == f"bulletin-{layers:%Y-%m}-es-cayo.pdf"


def test_population_note_states_every_year_in_use(layers):
    """Stann Creek's figure is of 2022, the other five districts' of 2010: both are named."""
    from django.utils import translation

    with translation.override("es"):
        assert bulletins.context(layers)["population_years"] == "2010 (5 distritos) y 2022 (Stann Creek)"
        assert bulletins.context(layers, district="Stann Creek")["population_years"] == "2022"
    shown = [bulletins.AreaMonth(name, *[None] * 6, year) for name, year in
             (("Belize", 2010), ("Cayo", 2010), ("Toledo", 2022), ("Corozal", None))]
    assert bulletins.population_years(shown) == "2010 (Belize and Cayo) and 2022 (Toledo)"


def test_command_refuses_bad_input_by_name(layers):
    for args, name in ((["--month", "2025-13"], "--month"), (["--month", "2025-03", "--lang", "fr"], "--lang"),
                       (["--month", f"{layers:%Y-%m}", "--district", "Atlantis"], "--district")):
        with pytest.raises(CommandError, match=name):
            call_command("bulletin", *args)


def test_refresh_writes_the_missing_bulletin_and_the_site_serves_it(layers, settings, client):
    from services.refresh import refresh

    settings.BCO_BULLETIN_AFTER_REFRESH = True
    settings.BCO_REFRESH_METHODS, settings.BCO_REFRESH_PER_CATEGORY = ["area-counts"], False
    said = []
    refresh(say=said.append)
    assert sorted(p.name for p in settings.BCO_BULLETIN_DIR.iterdir()) == sorted(
        f"bulletin-{layers:%Y-%m}-{lang}.{ext}" for lang in ("en", "es") for ext in ("html", "pdf"))
    assert any(line.startswith(f"bulletin {layers:%Y-%m} (es)") for line in said)
    assert bulletins.write_missing(say=said.append) == []  # not written twice
    page = client.get("/bulletins/").content.decode()
    assert f"bulletin-{layers:%Y-%m}-es.pdf" in page
    response = client.get(f"/bulletins/bulletin-{layers:%Y-%m}-en.pdf")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert client.get("/bulletins/..%2Fsecret_key").status_code == 404


@pytest.mark.parametrize("values", [[0, 7.3, 8.7, 9.34, np.nan, np.nan], [5, 5, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]],
                         ids=["blanked and unrounded", "all equal", "ten"])
def test_every_shown_area_gets_a_map_class(values):
    from services.bulletin_figures import quantile_classes

    values = np.array(values, dtype=float)
    bins, classes = quantile_classes(values, 5)
    known = np.isfinite(values)
    assert (classes[~known] == -1).all() and (classes[known] >= 0).all() and (classes[known] < len(bins) - 1).all()
    assert (bins[classes[known]] <= values[known]).all() and (values[known] <= bins[classes[known] + 1]).all()
    assert classes[np.nanargmax(values)] == len(bins) - 2  # the largest is in the top class
    order = np.argsort(values[known])
    assert (np.diff(classes[known][order]) >= 0).all()
