"""The database's coarse envelope for incident locations holds the service area."""

from __future__ import annotations

import geopandas as gpd
import pytest

from boundaries.service_area import SERVICE_ENVELOPE, belize_area_utm

pytestmark = [pytest.mark.postgis, pytest.mark.usefixtures("reference_data")]


def test_envelope_holds_the_derived_service_area_with_a_degree_to_spare():
    west, south, east, north = gpd.GeoSeries([belize_area_utm()], crs=32616).to_crs(4326).total_bounds
    envelope_west, envelope_south, envelope_east, envelope_north = SERVICE_ENVELOPE
    assert envelope_west <= west - 1 and envelope_south <= south - 1
    assert envelope_east >= east + 1 and envelope_north >= north + 1
