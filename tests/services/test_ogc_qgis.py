"""Real QGIS (Debian's python3-qgis, 3.22) reading every collection, from both URL forms.

QGIS runs in a subprocess under ``/usr/bin/python3`` (``qgis_probe.py``); plain HTTP
against the same server is the oracle: ``numberMatched`` and the full download.

QGIS 3.22 does not implement Part 2 (its OAPIF provider never sends ``crs=`` or
``bbox-crs=``; neither does GDAL 3.6), so EPSG:32616 output and ``bbox-crs`` are
checked over HTTP against pyproj in ``test_ogc_queries.py``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from ogc_http import get
from shapely.geometry import box, shape

from services.ogc.collections import public_collections

pytestmark = pytest.mark.postgis

PROBE = Path(__file__).with_name("qgis_probe.py")
SYSTEM_PYTHON = "/usr/bin/python3"



def splitting_window(features: list[dict]) -> tuple[float, float, float, float]:
    """A square around a vertex of the data that holds some of the features, not all
    (KDE bands are nested, so a window anywhere inside the hottest band holds all)."""
    geometries = [shape(f["geometry"]) for f in features]
    if len(geometries) < 2:  # nothing to split: the box round the one feature
        return tuple(geometries[0].buffer(0.01).bounds)
    for half in (0.05, 0.01, 0.002):
        for geometry in geometries:
            for x, y in geometry.envelope.exterior.coords if geometry.geom_type != "Point" else geometry.coords:
                window = (x - half, y - half, x + half, y + half)
                if 0 < sum(g.intersects(box(*window)) for g in geometries) < len(geometries):
                    return window
    raise AssertionError("no window splits the collection")


def qgis_available() -> bool:
    try:
        return subprocess.run([SYSTEM_PYTHON, "-c", "import qgis.core"], capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


needs_qgis = pytest.mark.skipif(not qgis_available(), reason="python3-qgis is not installed (setup.sh test installs it)")


def run_qgis(url: str, specs: list[dict]) -> dict[str, dict]:
    done = subprocess.run([SYSTEM_PYTHON, str(PROBE), url, json.dumps(specs)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return {r["collection"]: r for r in json.loads(done.stdout.strip().splitlines()[-1])}


@needs_qgis
@pytest.mark.parametrize("suffix", ["", "/"], ids=["no-slash", "slash"])
def test_qgis_loads_counts_and_filters_every_collection(ogc_every_layer, suffix):
    ogc = ogc_every_layer
    downloads = {c.id: get(f"{ogc}/collections/{c.id}/items", limit=10000) for c in public_collections()}
    windows = {cid: splitting_window(download["features"]) for cid, download in downloads.items()}
    seen = run_qgis(ogc + suffix, [{"collection": cid, "bbox": window} for cid, window in windows.items()])
    for cid, download in downloads.items():
        result = seen[cid]
        assert result["valid"], cid
        assert result["crs"] in {"EPSG:4326", "OGC:CRS84"}, cid
        assert len(result["ids"]) == len(set(result["ids"])) == download["numberMatched"], cid
        assert set(result["ids"]) == {f["id"] for f in download["features"]}, cid
        expected = {f["id"] for f in download["features"] if shape(f["geometry"]).intersects(box(*windows[cid]))}
        assert result["bbox_asked"] > 0, cid  # QGIS asked the server, it did not filter a full download
        assert set(result["bbox_ids"]) == expected, cid
    assert not any("//" in u.split("://", 1)[1] for r in seen.values() for u in r["urls"])  # no empty path segment
