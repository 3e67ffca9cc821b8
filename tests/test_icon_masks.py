"""factcheck/icon_masks.py, the share images' SVG icon rasteriser: path parsing, curves and arcs, the non-zero fill
rule and anti-aliasing, each against geometry worked out by hand.

Why our own and not resvg-py or cairosvg: cairosvg draws through the system's libcairo, whose version (and so the
pixels) differs from machine to machine; resvg-py is a native build per platform. The golden test compares share
images byte for byte, and this rasteriser is Python and Pillow's integer polygon fill, pinned like the rest."""

from __future__ import annotations

import math

import pytest
import yaml
from PIL import ImageStat

from conftest import ROOT
from factcheck import icon_masks
from factcheck.icons import icon_file


def close(a, b, tolerance=1e-9) -> bool:
    return abs(a[0] - b[0]) <= tolerance and abs(a[1] - b[1]) <= tolerance


def test_lines_absolute_relative_and_implicit():
    square = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)]
    assert icon_masks.subpaths("M0 0 L10 0 L10 10 L0 10 Z") == [square]
    assert icon_masks.subpaths("m0 0 l10 0 l0 10 l-10 0 z") == [square]
    assert icon_masks.subpaths("M0 0 H10 V10 H0 Z") == [square]
    assert icon_masks.subpaths("M0 0 10 0 10 10 0 10") == [square]  # pairs after a moveto are linetos
    assert icon_masks.subpaths("M0,0L1e1,0,10,10Z M20 20 L30 20 L30 30 z") == [
        square[:3], [(20.0, 20.0), (30.0, 20.0), (30.0, 30.0)]]
    assert icon_masks.subpaths("M0 0 L5 5") == []  # fewer than three points fill nothing


def test_curves_end_where_they_should_and_pass_through_their_midpoints():
    cubic = icon_masks.subpaths("M0 0 C0 10 10 10 10 0 Z")[0]
    assert len(cubic) == 1 + icon_masks._CURVE_STEPS and close(cubic[-1], (10, 0))
    assert close(cubic[icon_masks._CURVE_STEPS // 2], (5, 7.5))  # B(1/2) = (P0 + 3 P1 + 3 P2 + P3) / 8
    smooth = icon_masks.subpaths("M0 0 C0 10 10 10 10 0 S20 -10 20 0 Z")[0]  # S reflects the last control point
    assert close(smooth[-1], (20, 0)) and close(smooth[icon_masks._CURVE_STEPS + icon_masks._CURVE_STEPS // 2],
                                                (15, -7.5))
    quadratic = icon_masks.subpaths("M0 0 Q5 10 10 0 T20 0 Z")[0]
    assert close(quadratic[icon_masks._CURVE_STEPS // 2], (5, 5))  # B(1/2) = (P0 + 2 P1 + P2) / 4
    assert close(quadratic[icon_masks._CURVE_STEPS + icon_masks._CURVE_STEPS // 2], (15, -5))  # T reflects


@pytest.mark.parametrize("large, sweep", [(0, 1), (1, 1), (0, 0), (1, 0)])
def test_arcs_stay_on_their_circle_and_end_at_their_end(large, sweep):
    points = icon_masks.subpaths(f"M2 12 A10 10 0 {large} {sweep} 12 2 Z")[0]
    assert close(points[-1], (12, 2), 1e-9)
    centres = {(12.0, 12.0), (2.0, 2.0)}  # the two circles of radius 10 through both ends
    centre = min(centres, key=lambda c: max(abs(math.dist(p, c) - 10) for p in points[1:]))
    assert all(abs(math.dist(p, centre) - 10) < 1e-9 for p in points[1:])
    # large-arc and sweep flags choose between the four arcs: the long ones turn three quarters of the circle
    def step(a, b) -> float:
        delta = math.atan2(b[1] - centre[1], b[0] - centre[0]) - math.atan2(a[1] - centre[1], a[0] - centre[0])
        return (delta + math.pi) % (2 * math.pi) - math.pi

    turn = abs(sum(step(a, b) for a, b in zip(points, points[1:])))
    assert turn == pytest.approx(3 * math.pi / 2 if large else math.pi / 2, abs=1e-6)


def coverage(d: str, size: int = 48) -> float:
    """The share of the mask's pixels that are inked (0 to 1)."""
    return ImageStat.Stat(icon_masks.mask(d, size)).mean[0] / 255


def test_a_square_fills_its_pixels():
    mask = icon_masks.mask("M6 6 H18 V18 H6 Z", 24)
    assert mask.mode == "L" and mask.size == (24, 24)
    assert mask.getpixel((12, 12)) == 255 and mask.getpixel((2, 2)) == 0 and mask.getpixel((22, 12)) == 0
    # Pillow's polygon fill includes its right and bottom edges: one supersampled pixel (a quarter of an output
    # pixel) more each way, which the badge's size does not show.
    side = 12 * icon_masks._SUPERSAMPLE + 1
    assert coverage("M6 6 H18 V18 H6 Z", 24) == pytest.approx((side / (24 * icon_masks._SUPERSAMPLE)) ** 2, abs=0.002)


def test_non_zero_winding_a_reversed_inner_square_is_a_hole_and_a_same_way_one_is_not():
    outer, inner_reversed, inner_same = "M2 2 H22 V22 H2 Z", "M8 8 V16 H16 V8 Z", "M8 8 H16 V16 H8 Z"
    full = (20 / 24) ** 2
    assert coverage(outer + inner_reversed) == pytest.approx(full - (8 / 24) ** 2, abs=0.01)
    assert coverage(outer + inner_same) == pytest.approx(full, abs=0.01)


def test_a_circle_has_its_area_and_soft_edges():
    circle = "M12 2 A10 10 0 1 1 11.999 2 Z"
    assert coverage(circle) == pytest.approx(math.pi * 10 ** 2 / 24 ** 2, rel=0.02)
    values = set(icon_masks.mask(circle, 48).tobytes())
    assert {0, 255} <= values and len(values) > 4  # anti-aliased: grey levels at the edge


def test_path_data_takes_the_one_path_of_an_svg():
    assert icon_masks.path_data('<svg viewBox="0 0 24 24"><path d="M1 2h3z"/></svg>') == "M1 2h3z"
    with pytest.raises(ValueError):
        icon_masks.path_data('<svg><path d="M0 0h1z"/><path d="M2 2h1z"/></svg>')


def test_every_icon_of_the_scale_draws_a_distinct_mask():
    scale = yaml.safe_load((ROOT / "claims" / "ratings.yaml").read_text(encoding="utf-8"))["ratings"]
    masks = {}
    for rating in scale:
        d = icon_masks.path_data(icon_file(rating["icon"]).read_text(encoding="utf-8"))
        mask = icon_masks.mask(d, 48)
        assert 0.1 < ImageStat.Stat(mask).mean[0] / 255 < 0.9, rating["icon"]
        masks[rating["icon"]] = mask.tobytes()
    assert len(set(masks.values())) == len(masks)
