"""Centrographic statistics and concentration, on hand-computable cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from spatial_analysis.descriptive import (
    concentration,
    mean_centre,
    median_distance,
    standard_deviational_ellipse,
    standard_distance,
)

X0, Y0 = 300_000.0, 1_900_000.0


@pytest.fixture
def rng():
    return np.random.default_rng(11)


def rotate(pts: np.ndarray, azimuth_deg: float) -> np.ndarray:
    """Rotate offsets so that north (0, 1) points to the given azimuth (clockwise from north)."""
    a = math.radians(azimuth_deg)
    rot = np.array([[math.cos(a), math.sin(a)], [-math.sin(a), math.cos(a)]])
    return pts @ rot.T


# --------------------------------------------------------------------------- centre and spread


def test_mean_centre_weighted_equals_duplicated():
    pts = np.array([[X0, Y0], [X0 + 100, Y0], [X0, Y0 + 300]])
    w = np.array([1, 2, 3])
    np.testing.assert_allclose(mean_centre(pts, sample_weight=w), np.repeat(pts, w, axis=0).mean(axis=0))


def test_standard_distance_hand_case():
    # square of side 200 around (X0, Y0): every corner is 141.42 m from the centre
    pts = np.array([[X0 - 100, Y0 - 100], [X0 + 100, Y0 - 100], [X0 - 100, Y0 + 100], [X0 + 100, Y0 + 100]])
    assert standard_distance(pts) == pytest.approx(100 * math.sqrt(2), rel=1e-12)


def test_weighted_standard_distance_equals_duplicated(rng):
    pts = rng.normal([X0, Y0], 500, size=(50, 2))
    w = rng.integers(1, 5, 50)
    assert standard_distance(pts, sample_weight=w) == pytest.approx(standard_distance(np.repeat(pts, w, axis=0)), rel=1e-12)


CROSS_NARROW = [[-10, 0], [10, 0], [0, -2], [0, 2]]  # centre 0; distances 10, 10, 2, 2
CROSS = [[-10, 0], [10, 0], [0, -10], [0, 10]]


@pytest.mark.parametrize(
    ("offsets", "weights", "expected"),
    [
        (CROSS_NARROW, None, 6.0),  # mid-point of 2 and 10, as numpy.median
        (CROSS_NARROW, [2, 2, 2, 2], 6.0),  # equal weights give the same
        # weighted centre (0, 5): distances 11.18, 11.18, 15 and 5 (weight 5 of 8 > half)
        (CROSS, [1, 1, 1, 5], 5.0),
    ],
    ids=["unweighted", "equal-weights", "heavy-point"],
)
def test_median_distance(offsets, weights, expected):
    pts = np.asarray(offsets, dtype=float) + [X0, Y0]
    assert median_distance(pts, sample_weight=weights) == pytest.approx(expected)


def test_zero_weights_raise():
    with pytest.raises(ValueError, match="sample_weight"):
        mean_centre([[X0, Y0], [X0 + 1, Y0]], sample_weight=[0, 0])


# --------------------------------------------------------------------------- ellipse


@pytest.mark.parametrize("azimuth", [0.0, 30.0, 90.0, 135.0], ids=["north", "30deg", "east", "135deg"])
def test_ellipse_axes_and_rotation_on_a_rotated_cross(azimuth):
    cross = np.array([[0, 300], [0, -300], [100, 0], [-100, 0]], dtype=float)
    pts = rotate(cross, azimuth) + [X0, Y0]
    e = standard_deviational_ellipse(pts, sqrt2_correction=False)
    # variances along the axes: 300^2 * 2 / 4 and 100^2 * 2 / 4
    assert e.major == pytest.approx(math.sqrt(300**2 / 2), rel=1e-9)
    assert e.minor == pytest.approx(math.sqrt(100**2 / 2), rel=1e-9)
    assert e.rotation == pytest.approx(azimuth, abs=1e-9)
    assert (e.centre_x, e.centre_y) == pytest.approx((X0, Y0))


def test_sqrt2_correction_and_n_std_scale_axes(rng):
    pts = rng.normal([X0, Y0], [800, 200], size=(300, 2))
    raw = standard_deviational_ellipse(pts, sqrt2_correction=False)
    esri2 = standard_deviational_ellipse(pts, n_std=2)
    assert esri2.major == pytest.approx(2 * math.sqrt(2) * raw.major)
    assert esri2.minor == pytest.approx(2 * math.sqrt(2) * raw.minor)
    assert esri2.rotation == pytest.approx(raw.rotation)


def test_ellipse_matches_yuill_rotation_formula(rng):
    pts = rotate(rng.normal(0, [200, 900], size=(500, 2)), 57.0) + [X0, Y0]
    d = pts - pts.mean(axis=0)
    sx2, sy2, sxy = (d[:, 0] ** 2).sum(), (d[:, 1] ** 2).sum(), (d[:, 0] * d[:, 1]).sum()
    a = sx2 - sy2
    b = math.sqrt(a * a + 4 * sxy * sxy)
    theta = math.atan((a + b) / (2 * sxy))  # Esri/Yuill: angle of the y-axis rotated clockwise
    sigma_x = math.sqrt(2) * math.sqrt(((d[:, 0] * math.cos(theta) - d[:, 1] * math.sin(theta)) ** 2).sum() / len(d))
    sigma_y = math.sqrt(2) * math.sqrt(((d[:, 0] * math.sin(theta) + d[:, 1] * math.cos(theta)) ** 2).sum() / len(d))
    e = standard_deviational_ellipse(pts)
    assert sorted([sigma_x, sigma_y]) == pytest.approx([e.minor, e.major], rel=1e-9)
    # Yuill's theta rotates the y axis clockwise onto one ellipse axis
    assert min(abs(math.degrees(theta) % 90 - e.rotation % 90), 90 - abs(math.degrees(theta) % 90 - e.rotation % 90)) < 1e-6
    assert e.rotation == pytest.approx(57.0, abs=5.0)


def test_ellipse_coverage_under_bivariate_normal(rng):
    pts = rng.normal([X0, Y0], [1000, 300], size=(20_000, 2))
    poly = standard_deviational_ellipse(pts).to_polygon(360)
    inside = shapely.contains_xy(poly, pts[:, 0], pts[:, 1]).mean()
    assert inside == pytest.approx(1 - math.exp(-1), abs=0.015)  # 63%; 39% without sqrt(2)


def test_ellipse_polygon_area(rng):
    e = standard_deviational_ellipse(rng.normal([X0, Y0], [900, 300], size=(100, 2)))
    assert e.to_polygon(720).area / 1e6 == pytest.approx(e.area_km2, rel=1e-4)


def test_identical_points_warn():
    with pytest.warns(UserWarning, match="coincide"):
        e = standard_deviational_ellipse([[X0, Y0]] * 3)
    assert (e.major, e.minor, e.rotation) == (0.0, 0.0, 0.0)


# --------------------------------------------------------------------------- concentration


def test_eighty_twenty_hand_case():
    counts = np.array([40, 30, 10] + [2] * 10)  # 100 incidents in 13 places
    c = concentration(counts)
    assert (c.n_places_needed, c.n_places) == (3, 13)  # 40 + 30 + 10 = 80
    assert c.place_share == pytest.approx(3 / 13)


def test_concentration_ignores_order_and_gini_matches_mean_difference(rng):
    counts = rng.poisson(rng.gamma(0.5, 4, 200))
    c1 = concentration(counts)
    c2 = concentration(rng.permutation(counts))
    assert c1.place_share == c2.place_share
    np.testing.assert_array_equal(c1.lorenz, c2.lorenz)
    x = counts.astype(float)
    gini = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())
    assert c1.gini == pytest.approx(gini, rel=1e-12)


def test_lorenz_curve_shape_and_monotonicity(rng):
    c = concentration(rng.integers(0, 10, 50))
    assert c.lorenz.shape == (51, 2)
    assert (np.diff(c.lorenz, axis=0) >= 0).all()
    assert c.lorenz[0].tolist() == [0, 0] and c.lorenz[-1].tolist() == [1, 1]
    assert (c.lorenz[:, 1] <= c.lorenz[:, 0] + 1e-12).all()  # below the diagonal


def test_even_spread_is_not_concentrated():
    c = concentration(np.full(10, 5))
    assert c.place_share == pytest.approx(0.8) and c.gini == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(
    ("counts", "share", "match"),
    [([1, -1], 0.8, "non-negative"), ([], 0.8, "non-empty"), ([1, 2], 1.5, "share"), ([1, 2], 0, "share")],
    ids=["negative", "empty", "share-above-1", "share-zero"],
)
def test_bad_concentration_input_raises(counts, share, match):
    with pytest.raises(ValueError, match=match):
        concentration(counts, share=share)


def test_all_zero_counts_warn():
    with pytest.warns(UserWarning, match="zero"):
        c = concentration([0, 0, 0])
    assert math.isnan(c.place_share)
