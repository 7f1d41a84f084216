"""Charts as inline SVG, rendered on the server (no JavaScript, no CDN)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape

PALETTE = ("#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2")


def _nice_max(value: float) -> float:
    """A round axis top; small counts get a multiple of 4 so the 4 grid steps are whole."""
    if value <= 0:
        return 4
    if value <= 20:
        return float(math.ceil(value / 4) * 4)
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * exp:
            return step * exp
    return 10 * exp


def _fmt(value: float) -> str:
    return f"{value:g}" if value < 10_000 else f"{value / 1000:g}k"


def line_chart(
    title: str,
    days: Sequence[str],
    series: Mapping[str, Sequence[int]],
    width: int = 640,
    height: int = 240,
    legend_total: str = "sum",
) -> str:
    """One polyline per series over ``days``; y axis from 0 with 4 grid lines.
    The legend shows each series' ``sum`` or ``max`` (for counts that do not add up)."""
    left, right, top, bottom = 44, 28, 30, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max((max(v, default=0) for v in series.values()), default=0))
    n = max(len(days), 1)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h - plot_h * v / top_value

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape(title)}">',
        f'<text x="{left}" y="18" class="chart-title">{escape(title)}</text>',
    ]
    for k in range(5):
        value = top_value * k / 4
        gy = y(value)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{gy:.1f}" y2="{gy:.1f}" stroke="#e5e7eb"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{gy + 4:.1f}" text-anchor="end" '
            f'class="axis">{_fmt(value)}</text>'
        )
    step = max(1, math.ceil(n / 7))
    for i, day in enumerate(days):
        if i % step == 0 or i == n - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                f'class="axis">{escape(day[5:])}</text>'
            )
    legend_x = left
    for index, (name, values) in enumerate(series.items()):
        color = PALETTE[index % len(PALETTE)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(
            f'<polyline fill="none" stroke="{color}" stroke-width="2" '
            f'points="{points}" data-series="{escape(name)}"/>'
        )
        for i, v in enumerate(values):
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5" fill="{color}">'
                f"<title>{escape(name)} {escape(days[i])}: {v}</title></circle>"
            )
        parts.append(
            f'<rect x="{legend_x}" y="{height - 14}" width="10" height="10" fill="{color}"/>'
        )
        total = f"{sum(values)}" if legend_total == "sum" else f"peak {max(values, default=0)}"
        parts.append(
            f'<text x="{legend_x + 14}" y="{height - 5}" class="legend">'
            f"{escape(name)} ({total})</text>"
        )
        legend_x += 24 + 8 * (len(name) + len(total) + 3)
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    title: str, items: Sequence[tuple[str, int]], width: int = 640, limit: int = 12
) -> str:
    """Horizontal bars, largest first; an empty chart says so."""
    items = sorted(items, key=lambda kv: -kv[1])[:limit]
    label_w, row_h, top = 220, 22, 30
    height = top + row_h * max(len(items), 1) + 10
    top_value = _nice_max(max((v for _k, v in items), default=0))
    bar_w = width - label_w - 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape(title)}">',
        f'<text x="8" y="18" class="chart-title">{escape(title)}</text>',
    ]
    if not items:
        parts.append(f'<text x="8" y="{top + 14}" class="axis">no data in this range</text>')
    for i, (label, value) in enumerate(items):
        by = top + i * row_h
        w = bar_w * value / top_value
        parts.append(
            f'<text x="{label_w - 8}" y="{by + 14}" text-anchor="end" class="axis">'
            f"{escape(label[:34])}</text>"
        )
        parts.append(
            f'<rect x="{label_w}" y="{by + 3}" width="{w:.1f}" height="{row_h - 6}" '
            f'fill="{PALETTE[0]}" data-label="{escape(label)}" data-value="{value}">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{by + 14}" class="axis">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)
