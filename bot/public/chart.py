"""A server-rendered SVG bar chart (no JavaScript): one group of bars per row, one bar per rate,
the value written on each bar so it reads at a glance; sized by ``viewBox`` so it fits 320 px."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

COLOURS = ("#1f5fa8", "#2e8540", "#b35c00", "#8a2c8f")  # distinguishable, dark enough for white text


def bars(
    title: str,
    rows: Sequence[tuple[str, Sequence[float | None]]],
    series: Sequence[str],
) -> str:
    """``rows``: (label, one rate 0..1 or None per series). Returns an ``<svg>`` element."""
    bar_h, gap, label_w, width = 22, 14, 110, 640
    plot_w = width - label_w - 60
    legend_h = 34
    group_h = bar_h * len(series) + gap
    height = legend_h + group_h * max(1, len(rows)) + 10
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="chart-title" class="chart">',
        f'<title id="chart-title">{escape(title)}</title>',
    ]
    x = 0
    for n, name in enumerate(series):
        colour = COLOURS[n % len(COLOURS)]
        out.append(f'<rect x="{x}" y="6" width="18" height="18" fill="{colour}"/>')
        out.append(f'<text x="{x + 24}" y="21" font-size="16">{escape(name)}</text>')
        x += 24 + 18 * len(name) + 20
    for r, (label, values) in enumerate(rows):
        top = legend_h + r * group_h
        mid = top + bar_h * len(series) / 2 + 6
        out.append(f'<text x="0" y="{mid:.0f}" font-size="16">{escape(label)}</text>')
        for n, value in enumerate(values):
            y = top + n * bar_h
            w = 0 if value is None else max(1.0, plot_w * value)
            colour = COLOURS[n % len(COLOURS)]
            out.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 4}" fill="{colour}"/>')
            text = "—" if value is None else f"{value:.0%}"
            out.append(f'<text x="{label_w + w + 6:.1f}" y="{y + bar_h - 8}" font-size="15">{text}</text>')
    out.append("</svg>")
    return "\n".join(out)
