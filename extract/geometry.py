"""Typed page geometry shared by every reader: a `Box`, a `Char` (what the layout needs of a
printed or recognised character, in points, top-left origin), a horizontal `Rule`, and the one
way positions are clustered onto grid lines."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

T = TypeVar("T")


class Box(NamedTuple):
    """An axis-aligned box in points: left, top, right, bottom (top < bottom)."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.top + self.bottom) / 2

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    def contains(self, x: float, y: float, tol: float = 0.0) -> bool:
        """The point lies inside, the box grown by `tol` on every side."""
        return self.x0 - tol <= x <= self.x1 + tol and self.top - tol <= y <= self.bottom + tol

    def union(self, other: Box) -> Box:
        return Box(
            min(self.x0, other.x0),
            min(self.top, other.top),
            max(self.x1, other.x1),
            max(self.bottom, other.bottom),
        )

    @staticmethod
    def enclosing(boxes: Iterable[Box]) -> Box:
        """The smallest box holding all of `boxes` (at least one)."""
        it = iter(boxes)
        out = next(it)
        for box in it:
            out = out.union(box)
        return out


@dataclass(frozen=True, slots=True)
class Char:
    """One character on the page: from a text layer, or placed along an OCR line.
    `confidence` is the OCR recognition score (None for a text layer)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    confidence: float | None = None

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.top + self.bottom) / 2

    @property
    def box(self) -> Box:
        return Box(self.x0, self.top, self.x1, self.bottom)


class Rule(NamedTuple):
    """A printed horizontal rule from x0 to x1 at height y."""

    x0: float
    x1: float
    y: float


def clusters(values: Iterable[float], tol: float, *, chained: bool = True) -> list[list[float]]:
    """Sorted values in groups. `chained`: a value within `tol` of the previous one joins its
    group (so a group may be wider than `tol`); otherwise it must be within `tol` of the
    group's first value."""
    groups: list[list[float]] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1 if chained else 0] <= tol:
            groups[-1].append(v)
        else:
            groups.append([v])
    return groups


def snap(values: Iterable[float], tol: float) -> list[float]:
    """Grid lines: positions closer than `tol` to a line's first position fall on that line."""
    return [g[0] for g in clusters(values, tol, chained=False)]


def cluster_means(values: Iterable[float], tol: float) -> dict[float, float]:
    """Each value to the mean of its (chained) group."""
    return {v: sum(g) / len(g) for g in clusters(values, tol) for v in g}


def grid_index(grid: list[float], value: float, tol: float) -> int:
    """The grid line at `value` (within `tol`), or the next one; the last line beyond."""
    i = bisect.bisect_left(grid, value - tol)
    return min(i, len(grid) - 1)


def snap_boxes(boxes: list[Box], tol: float) -> list[Box]:
    """Cell borders of one rule, a pixel or two apart on a scan, moved onto one line."""
    xs = cluster_means([v for b in boxes for v in (b[0], b[2])], tol)
    ys = cluster_means([v for b in boxes for v in (b[1], b[3])], tol)
    return [Box(xs[b[0]], ys[b[1]], xs[b[2]], ys[b[3]]) for b in boxes]


def cluster_objects(items: list[T], key: Callable[[T], float], tol: float) -> list[list[T]]:
    """Objects grouped by `key` in chained groups (pdfplumber's `cluster_objects`): groups in
    order of their values, objects in each in their given order."""
    where: dict[float, int] = {}
    for k, group in enumerate(clusters((key(i) for i in items), tol)):
        for v in group:
            where[v] = k
    out: list[list[T]] = [[] for _ in range(len(set(where.values())))]
    for item in items:
        out[where[key(item)]].append(item)
    return out
