"""Material icons as Pillow masks (for the share images), without a system SVG renderer.

Every icon the scale uses is a 24 x 24 SVG holding one <path>. Its `d` attribute is flattened into polygons
(Béziers and arcs sampled) and filled with the non-zero rule, SVG's default, at four times the size, then
averaged down for anti-aliased edges. Pure Python and Pillow, so every machine draws the same pixels.

Why not a library: svgelements (the pure-Python choice) installs a top-level `test` package beside itself and
brings 340 kB of SVG for one path; svgpathtools needs numpy and scipy; cairosvg and resvg need native renderers.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw

_TOKEN = re.compile(r"[MmLlHhVvCcSsQqTtAaZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_ARITY = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7, "Z": 0}
_CURVE_STEPS = 16  # points per Bézier: smooth at badge sizes (about 50 px)
_SUPERSAMPLE = 4

Point = tuple[float, float]


def _cubic(p0: Point, p1: Point, p2: Point, p3: Point) -> list[Point]:
    points = []
    for step in range(1, _CURVE_STEPS + 1):
        t = step / _CURVE_STEPS
        u = 1 - t
        points.append((u ** 3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t ** 3 * p3[0],
                       u ** 3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t ** 3 * p3[1]))
    return points


def _arc(start: Point, rx: float, ry: float, rotation: float, large: bool, sweep: bool, end: Point) -> list[Point]:
    """An elliptical arc as points, by the SVG specification's endpoint-to-centre conversion (appendix B.2.4)."""
    if start == end:
        return []
    rx, ry = abs(rx), abs(ry)
    if not rx or not ry:
        return [end]
    phi = math.radians(rotation)
    cos, sin = math.cos(phi), math.sin(phi)
    dx, dy = (start[0] - end[0]) / 2, (start[1] - end[1]) / 2
    x1, y1 = cos * dx + sin * dy, -sin * dx + cos * dy
    scale = x1 * x1 / (rx * rx) + y1 * y1 / (ry * ry)
    if scale > 1:  # radii too small to join the points: scale them up, as renderers do
        rx, ry = rx * math.sqrt(scale), ry * math.sqrt(scale)
    numerator = rx * rx * ry * ry - rx * rx * y1 * y1 - ry * ry * x1 * x1
    factor = math.sqrt(max(0.0, numerator / (rx * rx * y1 * y1 + ry * ry * x1 * x1)))
    if large == sweep:
        factor = -factor
    cx1, cy1 = factor * rx * y1 / ry, -factor * ry * x1 / rx
    cx = cos * cx1 - sin * cy1 + (start[0] + end[0]) / 2
    cy = sin * cx1 + cos * cy1 + (start[1] + end[1]) / 2
    theta = math.atan2((y1 - cy1) / ry, (x1 - cx1) / rx)
    delta = math.atan2((-y1 - cy1) / ry, (-x1 - cx1) / rx) - theta
    if sweep and delta < 0:
        delta += 2 * math.pi
    elif not sweep and delta > 0:
        delta -= 2 * math.pi
    steps = max(4, math.ceil(abs(delta) / (math.pi / 16)))
    points = []
    for step in range(1, steps + 1):
        angle = theta + delta * step / steps
        x, y = rx * math.cos(angle), ry * math.sin(angle)
        points.append((cos * x - sin * y + cx, sin * x + cos * y + cy))
    return points


def subpaths(d: str) -> list[list[Point]]:
    """The path's subpaths as closed polygons (filling closes every subpath, with or without Z)."""
    tokens = _TOKEN.findall(d)
    shapes: list[list[Point]] = []
    current: list[Point] = []
    x = y = 0.0
    start = (0.0, 0.0)
    control: Point | None = None  # the last cubic control point, reflected by S
    quad: Point | None = None  # the last quadratic control point, reflected by T
    command, index = "", 0
    while index < len(tokens):
        if tokens[index].isalpha():
            command = tokens[index]
            index += 1
        upper, relative = command.upper(), command.islower()
        arity = _ARITY[upper]
        args = [float(t) for t in tokens[index:index + arity]]
        index += arity
        ox, oy = (x, y) if relative else (0.0, 0.0)
        if upper == "M":
            if len(current) > 2:
                shapes.append(current)
            x, y = args[0] + ox, args[1] + oy
            start, current = (x, y), [(x, y)]
            command = "l" if relative else "L"  # further pairs after a moveto are linetos
        elif upper == "Z":
            if len(current) > 2:
                shapes.append(current)
            x, y = start
            current = [start]
        elif upper in "LHV":
            if upper == "L":
                x, y = args[0] + ox, args[1] + oy
            elif upper == "H":
                x = args[0] + ox
            else:
                y = args[0] + oy
            current.append((x, y))
        elif upper in "CS":
            if upper == "C":
                c1 = (args[0] + ox, args[1] + oy)
                rest = args[2:]
            else:
                c1 = (2 * x - control[0], 2 * y - control[1]) if control else (x, y)
                rest = args
            c2, end = (rest[0] + ox, rest[1] + oy), (rest[2] + ox, rest[3] + oy)
            current += _cubic((x, y), c1, c2, end)
            x, y = end
        elif upper in "QT":
            if upper == "Q":
                q = (args[0] + ox, args[1] + oy)
                end = (args[2] + ox, args[3] + oy)
            else:
                q = (2 * x - quad[0], 2 * y - quad[1]) if quad else (x, y)
                end = (args[0] + ox, args[1] + oy)
            c1 = (x + 2 / 3 * (q[0] - x), y + 2 / 3 * (q[1] - y))
            c2 = (end[0] + 2 / 3 * (q[0] - end[0]), end[1] + 2 / 3 * (q[1] - end[1]))
            current += _cubic((x, y), c1, c2, end)
            x, y = end
        else:  # A
            end = (args[5] + ox, args[6] + oy)
            current += _arc((x, y), args[0], args[1], args[2], bool(args[3]), bool(args[4]), end)
            x, y = end
        control = c2 if upper in "CS" else None
        quad = q if upper in "QT" else None
    if len(current) > 2:
        shapes.append(current)
    return shapes


def _signed_area(points: list[Point]) -> float:
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(points, points[1:] + points[:1])) / 2


@lru_cache(maxsize=64)
def mask(d: str, size: int, viewbox: float = 24.0) -> Image.Image:
    """An anti-aliased "L" mask, `size` pixels square, of the path filled with the non-zero winding rule.

    Each subpath is filled on its own and added to (or, wound the other way, subtracted from) a counter that
    starts at 128: a pixel is inside when its winding number, the counter's distance from 128, is not zero.
    """
    big = size * _SUPERSAMPLE
    ratio = big / viewbox
    winding = Image.new("L", (big, big), 128)
    for shape in subpaths(d):
        layer = Image.new("L", (big, big), 0)
        ImageDraw.Draw(layer).polygon([(px * ratio, py * ratio) for px, py in shape], fill=1)
        combine = ImageChops.add if _signed_area(shape) > 0 else ImageChops.subtract
        winding = combine(winding, layer)
    inside = winding.point(lambda value: 0 if value == 128 else 255)
    return inside.reduce(_SUPERSAMPLE)


def path_data(svg: str) -> str:
    """The `d` of a single-path SVG (Material's icons are all one path on a 24 x 24 view box)."""
    found = re.findall(r'<path[^>]*\sd="([^"]+)"', svg)
    if len(found) != 1:
        raise ValueError("expected an SVG with exactly one <path d=...>")
    return found[0]
