"""The KDE job end to end: incidents in PostGIS -> spatial_analysis -> layer + run record."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from geo_bco.models import AnalysisRun, Incident, KdeContour
from services.jobs import create_run, execute_run
from services.jobs.selection import IncidentFilter, load_incidents
from services.params import parse
from spatial_analysis.kde import kernel_density

pytestmark = pytest.mark.postgis


def test_sync_run_writes_bands_and_a_complete_run_record(reference_data, demo_incidents):
    demo_incidents()
    run = execute_run(create_run("kde", parameters={"bandwidth": 1500, "cell_size": 200}).pk)
    assert run.status == AnalysisRun.Status.SUCCEEDED
    public = Incident.objects.filter(offence__sensitive=False, geocode_precision__in=["exact", "address"]).count()
    assert run.input_count == public
    assert run.started_at <= run.finished_at
    assert run.software_version and run.log and run.label.startswith("Kernel density")
    bands = list(KdeContour.objects.filter(run=run).order_by("band"))
    assert [b.band for b in bands] == [1, 2, 3]
    assert [b.top_share for b in bands] == [0.01, 0.05, 0.10]
    # cumulative bands: hotter bands are smaller and have higher thresholds
    assert bands[0].area_km2 < bands[1].area_km2 < bands[2].area_km2
    assert bands[0].threshold > bands[1].threshold > bands[2].threshold
    assert all(b.geom.valid and b.geom.srid == 4326 for b in bands)
    # each band holds a larger share of incidents than of area: that is what makes it a hot spot
    shares = [b.incident_share for b in bands]
    assert shares == sorted(shares) and 0 < shares[0] and shares[-1] <= 1
    assert all(b.incident_share > b.top_share for b in bands)


def test_parameters_as_given_are_kept_apart_from_the_resolved_ones(reference_data, demo_incidents):
    demo_incidents()
    run = execute_run(create_run("kde", parameters={"cell_size": "250"}).pk)
    assert run.parameters == {"cell_size": "250"}
    assert run.resolved_parameters["cell_size"] == 250.0
    assert run.resolved_parameters["bandwidth"] > 0  # Esri's rule, resolved and recorded
    assert run.resolved_parameters["kernel"] == "quartic"


def test_layer_equals_the_pure_library_on_the_same_points(reference_data, demo_incidents):
    demo_incidents()
    run = execute_run(create_run("kde", parameters={"bandwidth": 2000, "cell_size": 250}).pk)
    points = load_incidents(parse(IncidentFilter, run.input_filter)).xy
    grid = kernel_density(points, bandwidth=2000, cell_size=250)
    hottest = KdeContour.objects.get(run=run, band=1)
    assert hottest.threshold <= grid.density.max()
    share = (grid.density >= hottest.threshold).sum() / (grid.density > 0).sum()
    assert share == pytest.approx(0.01, abs=0.002)


def test_filter_by_offence_and_dates(reference_data, demo_incidents):
    demo_incidents()
    expected = Incident.objects.filter(offence__code="burglary", occurred_at__date__gte="2025-01-01",
                                       geocode_precision__in=["exact", "address"]).count()
    run = execute_run(create_run("kde", parameters={"bandwidth": 3000},
                                 input_filter={"offences": ["burglary"], "since": "2025-01-01"}).pk)
    assert run.input_count == expected > 0


def test_too_few_incidents_fails_the_run_with_its_error(reference_data, demo_incidents):
    demo_incidents(rows=200)
    run = create_run("kde", input_filter={"offences": ["murder"]})
    with pytest.raises(ValueError, match="at least 10 incidents"):
        execute_run(run.pk)
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.FAILED and "at least 10 incidents" in run.error
    assert not KdeContour.objects.filter(run=run).exists()


def test_feature_ids_are_unique_across_runs(reference_data, demo_incidents):
    demo_incidents()
    for _ in range(2):
        execute_run(create_run("kde", parameters={"bandwidth": 2000}).pk)
    ids = list(KdeContour.objects.values_list("id", flat=True))
    assert len(ids) == 6 == len(set(ids))


def test_incidents_are_projected_by_postgis_to_utm16n(reference_data, demo_incidents):
    demo_incidents(rows=50)
    incidents = load_incidents(IncidentFilter(precisions=("exact", "address", "locality", "district"),
                                              sensitive=True))
    assert incidents.xy.shape == (Incident.objects.count(), 2)
    assert np.array_equal(incidents.ids, np.sort(incidents.ids))
    # Belize in UTM 16N: eastings ~ 240-420 km, northings ~ 1.75-2.05 million m
    assert np.all((incidents.xy[:, 0] > 200_000) & (incidents.xy[:, 0] < 450_000))
    assert np.all((incidents.xy[:, 1] > 1_740_000) & (incidents.xy[:, 1] < 2_060_000))


def test_cli_runs_kde_synchronously(reference_data, demo_incidents, capsys):
    demo_incidents()
    call_command("analyse", "kde", "--bandwidth", "2000", "--since", "2025-01-01")
    out = capsys.readouterr().out
    assert "succeeded" in out and "bandwidth 2000 m (given)" in out


def test_cli_rejects_reversed_dates(reference_data, demo_incidents):
    demo_incidents(rows=50)
    with pytest.raises(CommandError, match="since: 2025-02-01 is after until 2025-01-01"):
        call_command("analyse", "kde", "--since", "2025-02-01", "--until", "2025-01-01")
    assert not AnalysisRun.objects.exists()


def test_queued_run_is_executed_by_a_procrastinate_worker(empty_queue, reference_data_committed, demo_incidents):
    from procrastinate.contrib.django.models import ProcrastinateJob

    demo_incidents()
    call_command("analyse", "kde", "--bandwidth", "2000", "--queue")
    run = AnalysisRun.objects.get()
    assert run.status == AnalysisRun.Status.QUEUED and run.job_id
    assert ProcrastinateJob.objects.get(id=run.job_id).status == "todo"
    call_command("worker", "--no-wait")  # `bco worker`, told to stop once the queue is empty
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.SUCCEEDED
    assert ProcrastinateJob.objects.get(id=run.job_id).status == "succeeded"
    assert KdeContour.objects.filter(run=run).count() == 3
