"""Tests for spatial_analysis.clustering (DBSCAN/HDBSCAN polygons, CrimeStat NNH).

Oracles: scikit-learn's DBSCAN/HDBSCAN run directly, scipy's single-linkage
hierarchy for NNH first-order clusters, and hand-computed thresholds and ellipses.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.cluster import DBSCAN, HDBSCAN

from spatial_analysis.clustering import (
    DensityClusters,
    NNHClustering,
    density_clusters,
    nnh_clusters,
    random_nn_threshold,
)

UTM16N = "EPSG:32616"


@pytest.fixture
def rng():
    return np.random.default_rng(19)


@pytest.fixture
def hotspots(rng):
    """Three Gaussian hot spots (metres, UTM-like offsets) plus scattered noise."""
    origin = np.array([330000.0, 1930000.0])
    spec = (([0, 0], 25, 60), ([900, 300], 40, 80), ([300, 1500], 15, 30))  # offset, sd (m), count
    blobs = [rng.normal(origin + c, s, (n, 2)) for c, s, n in spec]
    noise = origin + rng.uniform(-1000, 2500, (80, 2))
    return np.vstack(blobs + [noise])


def partition(labels):
    """Clusters as a set of frozensets of point indices (ignores numbering)."""
    return {frozenset(np.flatnonzero(labels == c)) for c in np.unique(labels[labels >= 0])}


# ----------------------------------------------------------- DBSCAN / HDBSCAN


@pytest.mark.parametrize(("eps", "min_samples"), [(30, 5), (60, 10), (120, 4)], ids=["tight", "medium", "loose"])
def test_dbscan_labels_equal_scikit_learn(hotspots, eps, min_samples):
    ours = DensityClusters(eps=eps, min_samples=min_samples).fit(hotspots)
    ref = DBSCAN(eps=eps, min_samples=min_samples).fit(hotspots)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)


def test_dbscan_with_weights_equals_scikit_learn(hotspots, rng):
    w = rng.integers(1, 4, len(hotspots)).astype(float)
    ours = DensityClusters(eps=50, min_samples=8).fit(hotspots, sample_weight=w)
    ref = DBSCAN(eps=50, min_samples=8).fit(hotspots, sample_weight=w)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    for _, row in ours.clusters_.iterrows():
        assert row["weight"] == pytest.approx(w[ours.labels_ == row["cluster"]].sum())


@pytest.mark.parametrize(("mcs", "ms"), [(5, None), (10, 5), (20, 10)], ids=["default", "mcs10", "mcs20"])
def test_hdbscan_labels_equal_scikit_learn(hotspots, mcs, ms):
    ours = DensityClusters(method="hdbscan", min_cluster_size=mcs, min_samples=ms or mcs).fit(hotspots)
    ref = HDBSCAN(min_cluster_size=mcs, min_samples=ms, copy=True).fit(hotspots)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)


@pytest.mark.parametrize("method", ["dbscan", "hdbscan"], ids=["dbscan", "hdbscan"])
@pytest.mark.parametrize("hull", ["convex", "concave"], ids=["convex", "concave"])
def test_hulls_are_valid_polygons_covering_their_points(hotspots, method, hull):
    dc = DensityClusters(method=method, eps=60, min_samples=8, min_cluster_size=10, hull=hull).fit(hotspots)
    assert dc.n_clusters_ >= 3
    for _, row in dc.clusters_.iterrows():
        members = hotspots[dc.labels_ == row["cluster"]]
        assert row["geometry"].is_valid
        assert row["geometry"].geom_type == "Polygon"
        assert shapely.covers(row["geometry"], shapely.points(members)).all()
        assert row["n_points"] == len(members)
        assert row["mean_x"] == pytest.approx(members[:, 0].mean())
        assert row["area_m2"] == pytest.approx(row["geometry"].area)


def test_concave_hull_is_no_larger_than_convex(hotspots):
    convex = DensityClusters(eps=60, min_samples=8).fit(hotspots).clusters_
    concave = DensityClusters(eps=60, min_samples=8, hull="concave", concave_ratio=0.2).fit(hotspots).clusters_
    assert (concave["area_m2"].to_numpy() <= convex["area_m2"].to_numpy() + 1e-6).all()


def test_square_cluster_hand_checked():
    res = density_clusters([[0, 0], [10, 0], [0, 10], [10, 10], [5000, 5000]], eps=20, min_samples=3, crs=UTM16N)
    row = res.clusters.iloc[0]
    assert (row["n_points"], row["area_m2"], row["mean_x"], row["mean_y"]) == (4, 100.0, 5.0, 5.0)
    assert row["shape"] == "convex"
    assert res.clusters.crs.to_epsg() == 32616


@pytest.mark.parametrize(
    "cluster_pts",
    [
        [[100, 100], [110, 100]],  # two points -> hull is a line
        [[100, 100], [110, 110], [120, 120], [130, 130]],  # collinear -> line
        [[100, 100], [100, 100], [100, 100]],  # one location -> point
    ],
    ids=["two-points", "collinear", "one-location"],
)
@pytest.mark.parametrize("hull", ["convex", "concave"], ids=["convex", "concave"])
def test_degenerate_cluster_is_buffered_to_a_valid_polygon(cluster_pts, hull):
    pts = np.array(cluster_pts + [[9000, 9000]], dtype=float)
    res = density_clusters(pts, eps=20, min_samples=2, hull=hull, degenerate_buffer=5)
    (geom,) = res.clusters.geometry
    assert res.clusters["shape"].iloc[0] == "buffered"
    assert geom.is_valid and geom.geom_type == "Polygon" and geom.area > 0
    assert shapely.covers(geom, shapely.points(np.array(cluster_pts, dtype=float))).all()
    # a 5 m buffer of the hull: every point of the polygon is within 5 m of a member
    assert geom.hausdorff_distance(shapely.MultiPoint(cluster_pts).convex_hull) == pytest.approx(5, rel=1e-6)


def test_all_identical_points_warn():
    with pytest.warns(UserWarning, match="identical"):
        dc = DensityClusters(eps=10, min_samples=2).fit(np.full((5, 2), 1000.0))
    assert dc.clusters_["shape"].tolist() == ["buffered"]


def test_no_clusters_warns_and_returns_empty_frame():
    pts = np.array([[0, 0], [1000, 0], [0, 1000]], dtype=float)
    with pytest.warns(UserWarning, match="no clusters"):
        dc = DensityClusters(eps=10, min_samples=2, crs=UTM16N).fit(pts)
    assert dc.n_clusters_ == 0 and len(dc.clusters_) == 0
    assert {"cluster", "n_points", "area_m2"} <= set(dc.clusters_.columns)
    assert dc.clusters_.crs.to_epsg() == 32616
    assert (dc.labels_ == -1).all()


def test_geodataframe_input_keeps_its_crs(hotspots):
    gdf = gpd.GeoDataFrame(geometry=gpd.points_from_xy(hotspots[:, 0], hotspots[:, 1]), crs=UTM16N)
    dc = DensityClusters(eps=60, min_samples=8).fit(gdf)
    assert dc.clusters_.crs == gdf.crs
    np.testing.assert_array_equal(dc.labels_, DBSCAN(eps=60, min_samples=8).fit(hotspots).labels_)


def test_geographic_geodataframe_is_refused():
    gdf = gpd.GeoDataFrame(geometry=gpd.points_from_xy([-88.2, -88.3], [17.5, 17.4]), crs="EPSG:4326")
    with pytest.raises(ValueError, match="geographic"):
        DensityClusters().fit(gdf)


def test_geographic_crs_parameter_is_refused(hotspots):
    with pytest.raises(ValueError, match="geographic"):
        DensityClusters(crs="EPSG:4326").fit(hotspots)


def test_conflicting_crs_is_refused(hotspots):
    gdf = gpd.GeoDataFrame(geometry=gpd.points_from_xy(hotspots[:, 0], hotspots[:, 1]), crs=UTM16N)
    with pytest.raises(ValueError, match="differs"):
        DensityClusters(crs="EPSG:32617").fit(gdf)


def test_non_point_geometries_are_refused():
    gdf = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 10, 10)] * 2, crs=UTM16N)
    with pytest.raises(TypeError, match="Point"):
        DensityClusters().fit(gdf)


def test_degree_coordinates_are_refused():
    with pytest.raises(ValueError, match="degrees"):
        DensityClusters().fit([[-88.2, 17.5], [-88.21, 17.5], [-88.2, 17.51]])


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"method": "kmeans"}, ValueError, "method"),
        ({"hull": "alpha"}, ValueError, "hull"),
        ({"eps": 0}, ValueError, "eps"),
        ({"min_samples": 0}, ValueError, "min_samples"),
        ({"min_samples": 2.5}, TypeError, "min_samples"),
        ({"concave_ratio": 2}, ValueError, "concave_ratio"),
        ({"degenerate_buffer": -1}, ValueError, "degenerate_buffer"),
        ({"metric": "cosine"}, ValueError, "metric"),
        ({"method": "hdbscan", "min_cluster_size": 1}, ValueError, "min_cluster_size"),
        ({"method": "hdbscan", "cluster_selection_epsilon": -5}, ValueError, "cluster_selection_epsilon"),
    ],
    ids=["method", "hull", "eps", "min_samples", "min_samples-type", "ratio", "buffer", "metric", "mcs", "cse"],
)
def test_bad_parameters_raise_naming_them(hotspots, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        DensityClusters(**kwargs).fit(hotspots)


def test_hdbscan_refuses_sample_weight(hotspots):
    with pytest.raises(ValueError, match="sample_weight"):
        DensityClusters(method="hdbscan").fit(hotspots, sample_weight=np.ones(len(hotspots)))


def test_inputs_are_not_mutated(hotspots):
    before = hotspots.copy()
    DensityClusters(method="hdbscan").fit(hotspots)
    DensityClusters(eps=50, min_samples=5).fit(hotspots, sample_weight=np.ones(len(hotspots)))
    np.testing.assert_array_equal(hotspots, before)


def test_init_only_stores_parameters():
    dc = DensityClusters(eps=-1, hull="nonsense")
    assert (dc.eps, dc.hull) == (-1, "nonsense")


# ------------------------------------------------------------------------- NNH


def test_random_nn_threshold_hand_computed():
    # n = 100 in 1 km^2: d_ran = 0.5*sqrt(1e6/100) = 50 m, SE = 0.26136/sqrt(100^2/1e6) = 2.6136 m
    assert random_nn_threshold(100, 1e6, probability=0.5) == pytest.approx(50.0)
    # t(0.90, df=99) = 1.2901614 (tables)
    assert random_nn_threshold(100, 1e6, probability=0.1) == pytest.approx(50.0 - 1.2901614 * 2.6136, abs=1e-5)
    # t(0.99, df=99) = 2.3646058
    assert random_nn_threshold(100, 1e6, probability=0.01) == pytest.approx(50.0 - 2.3646058 * 2.6136, abs=1e-5)


@pytest.mark.parametrize("probability", [0.0, 0.6, "x"], ids=["zero", "above-half", "string"])
def test_random_nn_threshold_rejects_bad_probability(probability):
    with pytest.raises((ValueError, TypeError), match="probability"):
        random_nn_threshold(10, 1e6, probability=probability)


@pytest.mark.parametrize("probability", [0.5, 0.1, 0.001], ids=["p0.5", "p0.1", "p0.001"])
def test_nnh_first_order_equals_scipy_single_linkage(hotspots, probability):
    nnh = NNHClustering(probability=probability, min_points=5, max_order=1, output="convex").fit(hotspots)
    thr = nnh.thresholds_[0]
    flat = fcluster(linkage(hotspots, method="single"), t=thr, criterion="distance")
    sizes = np.bincount(flat)
    ref = np.where(sizes[flat] >= 5, flat, -1)
    assert partition(nnh.labels_) == partition(ref)


def test_nnh_threshold_uses_the_given_area(hotspots):
    nnh = NNHClustering(min_points=5, max_order=1, area=9e6).fit(hotspots)
    assert nnh.area_ == 9e6
    assert nnh.thresholds_[0] == pytest.approx(random_nn_threshold(len(hotspots), 9e6, probability=0.1))


def test_nnh_default_area_is_bounding_rectangle(hotspots):
    nnh = NNHClustering(min_points=5, max_order=1).fit(hotspots)
    w, h = np.ptp(hotspots, axis=0)
    assert nnh.area_ == pytest.approx(w * h)


def test_nnh_area_from_polygon(hotspots):
    box = shapely.box(329000, 1929000, 333000, 1933000)
    nnh = NNHClustering(min_points=5, max_order=1, area=box).fit(hotspots)
    assert nnh.area_ == pytest.approx(16e6)


@pytest.fixture
def two_level(rng):
    """Six tight hot spots in two groups of three (400 m apart), groups 3 km apart."""
    centres = [[1000, 1000], [1400, 1000], [1200, 1350], [4000, 4000], [4400, 4000], [4200, 4350]]
    return np.vstack([rng.normal(c, 10, (15, 2)) for c in centres] + [rng.uniform(0, 5000, (40, 2))])


def test_nnh_second_order_clusters_the_first_order_centres(two_level):
    nnh = NNHClustering(min_points=3, area=25e6, output="convex").fit(two_level)
    c = nnh.clusters_
    assert c.groupby("order").size().tolist() == [6, 2]
    first, second = c[c["order"] == 1], c[c["order"] == 2]
    assert second["n_members"].tolist() == [3, 3]
    # threshold recomputed for 6 centres at order 2
    assert nnh.thresholds_[1] == pytest.approx(random_nn_threshold(6, 25e6, probability=0.1))
    # a second-order cluster holds exactly the incidents of its first-order members
    for k in second["cluster"]:
        incidents = nnh.order_labels_[:, 1] == k
        member_ids = np.unique(nnh.order_labels_[incidents, 0])
        assert (member_ids >= 0).all() and len(member_ids) == 3
        assert incidents.sum() == first.set_index("cluster").loc[member_ids, "n_points"].sum()
        # its centre is the mean of the member centres
        centre = first.set_index("cluster").loc[member_ids, ["mean_x", "mean_y"]].mean().to_numpy()
        np.testing.assert_allclose(second.set_index("cluster").loc[k, ["mean_x", "mean_y"]].to_numpy(), centre)


@pytest.mark.parametrize("output", ["convex", "concave"], ids=["convex", "concave"])
def test_nnh_hulls_cover_their_incidents_at_every_order(two_level, output):
    nnh = NNHClustering(min_points=3, area=25e6, output=output).fit(two_level)
    for _, row in nnh.clusters_.iterrows():
        members = two_level[nnh.order_labels_[:, row["order"] - 1] == row["cluster"]]
        assert row["geometry"].is_valid
        assert shapely.covers(row["geometry"], shapely.points(members)).all()
        assert row["n_points"] == len(members)


def test_nnh_fixed_threshold_is_used_at_every_order(two_level):
    nnh = NNHClustering(threshold=700, min_points=3, output="convex").fit(two_level)
    assert set(nnh.thresholds_) == {700.0}
    assert nnh.n_orders_ >= 1


def test_nnh_max_order_stops_early(two_level):
    nnh = NNHClustering(min_points=3, area=25e6, max_order=1).fit(two_level)
    assert nnh.n_orders_ == 1 and nnh.order_labels_.shape == (len(two_level), 1)
    assert set(nnh.clusters_["order"]) == {1}


@pytest.mark.parametrize("angle", [0.0, 30.0, 120.0], ids=["east", "30deg", "120deg"])
def test_nnh_ellipse_hand_checked(angle):
    # (+-10, 0), (0, +-5): sums of squares 200 and 50 on the axes, n - 2 = 2 ->
    # semi-axes sqrt(2*200/2) = 14.142 m and sqrt(2*50/2) = 7.071 m (CrimeStat's SDE)
    a = np.radians(angle)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    pts = np.array([[10, 0], [-10, 0], [0, 5], [0, -5]], dtype=float) @ rot.T + [5000, 5000]
    nnh = NNHClustering(threshold=20, min_points=4, output="ellipse", degenerate_buffer=1).fit(pts)
    row = nnh.clusters_.iloc[0]
    assert row["axis_major_m"] == pytest.approx(np.sqrt(200))
    assert row["axis_minor_m"] == pytest.approx(np.sqrt(50))
    # long axis at `angle` degrees counter-clockwise from east = (90 - angle) clockwise from north
    assert row["rotation_deg"] == pytest.approx((90 - angle) % 180, abs=1e-9)
    assert row["geometry"].is_valid
    assert row["area_m2"] == pytest.approx(np.pi * np.sqrt(200) * np.sqrt(50), rel=2e-3)  # 72-gon


def test_nnh_ellipse_std_devs_scale_the_axes():
    pts = np.array([[10, 0], [-10, 0], [0, 5], [0, -5]], dtype=float) + 5000
    one = NNHClustering(threshold=20, min_points=4, std_devs=1).fit(pts).clusters_.iloc[0]
    two = NNHClustering(threshold=20, min_points=4, std_devs=2).fit(pts).clusters_.iloc[0]
    assert two["axis_major_m"] == pytest.approx(2 * one["axis_major_m"])


def test_nnh_collinear_cluster_ellipse_is_widened_to_a_valid_polygon():
    pts = np.column_stack([np.arange(0, 50, 5.0), np.zeros(10)]) + 5000
    row = NNHClustering(threshold=6, min_points=5, degenerate_buffer=3).fit(pts).clusters_.iloc[0]
    assert row["axis_minor_m"] == 3
    assert row["geometry"].is_valid and row["area_m2"] > 0


def test_nnh_no_clusters_warns():
    pts = np.array([[0, 0], [1000, 0], [0, 1000], [1000, 1000]], dtype=float)
    with pytest.warns(UserWarning, match="no cluster"):
        nnh = NNHClustering(threshold=10, min_points=2, crs=UTM16N).fit(pts)
    assert (nnh.labels_ == -1).all() and nnh.order_labels_.shape == (4, 0) and nnh.n_orders_ == 0
    assert len(nnh.clusters_) == 0 and nnh.clusters_.crs.to_epsg() == 32616


def test_nnh_function_form_matches_estimator(two_level):
    est = NNHClustering(min_points=3, area=25e6).fit(two_level)
    res = nnh_clusters(two_level, min_points=3, area=25e6)
    np.testing.assert_array_equal(res.order_labels, est.order_labels_)
    assert res.thresholds == est.thresholds_


def test_nnh_partition_does_not_depend_on_row_order(two_level, rng):
    perm = rng.permutation(len(two_level))
    a = NNHClustering(min_points=3, area=25e6, max_order=1).fit(two_level)
    b = NNHClustering(min_points=3, area=25e6, max_order=1).fit(two_level[perm])
    assert partition(a.labels_) == {frozenset(perm[list(s)]) for s in partition(b.labels_)}


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"probability": 0.7}, ValueError, "probability"),
        ({"min_points": 1}, ValueError, "min_points"),
        ({"output": "circle"}, ValueError, "output"),
        ({"threshold": 0}, ValueError, "threshold"),
        ({"area": -5}, ValueError, "area"),
        ({"max_order": 0}, ValueError, "max_order"),
        ({"std_devs": 0}, ValueError, "std_devs"),
    ],
    ids=["probability", "min_points", "output", "threshold", "area", "max_order", "std_devs"],
)
def test_nnh_bad_parameters_raise_naming_them(two_level, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        NNHClustering(**kwargs).fit(two_level)


def test_nnh_collinear_points_need_an_area():
    pts = np.column_stack([np.arange(0, 100, 5.0), np.zeros(20)]) + 5000
    with pytest.raises(ValueError, match="area"):
        NNHClustering(min_points=3).fit(pts)


def test_nnh_ellipse_matches_descriptive_sde_up_to_crimestat_divisor(rng):
    """Same principal axes as the Esri ellipse in descriptive.py; CrimeStat divides by n - 2, Esri by n."""
    from spatial_analysis.descriptive import standard_deviational_ellipse

    pts = rng.normal([5000, 5000], [40, 15], (30, 2)) @ np.array([[0.8, -0.6], [0.6, 0.8]])
    row = NNHClustering(threshold=1e4, min_points=30).fit(pts).clusters_.iloc[0]
    esri = standard_deviational_ellipse(pts)  # sqrt(2) correction, divisor n
    factor = np.sqrt(30 / 28)
    assert row["axis_major_m"] == pytest.approx(esri.major * factor)
    assert row["axis_minor_m"] == pytest.approx(esri.minor * factor)
    assert row["rotation_deg"] == pytest.approx(esri.rotation, abs=1e-6)
