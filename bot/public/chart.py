"""A server-rendered SVG bar chart (no JavaScript), drawn for a phone: its ``viewBox`` is about a
phone's width, so one unit is about one pixel there and the words are 15 px. The legend stands in
two columns above; each row's label has its own line above its bars; every bar carries its value,
so it reads at a glance without the colours."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

COLOURS = ("#1f5fa8", "#2e8540", "#b35c00", "#8a2c8f")  # distinguishable, dark enough on white
WIDTH = 340  # ≈ a 375 px phone's content width
FONT = 15
BAR_H, BAR_GAP, ROW_GAP = 18, 4, 14
VALUE_W = 48  # room after the longest bar for "100%"


def _legend(series: Sequence[str]) -> tuple[list[str], int]:
    """Two columns of swatch + name; the SVG lines and the height they take."""
    out, column_w, line_h = [], WIDTH // 2, FONT + 9
    for n, name in enumerate(series):
        x, y = (n % 2) * column_w, (n // 2) * line_h
        out.append(
            f'<rect x="{x}" y="{y + 3}" width="{FONT}" height="{FONT}" fill="{COLOURS[n % len(COLOURS)]}"/>'
        )
        out.append(f'<text x="{x + FONT + 6}" y="{y + FONT + 1}" font-size="{FONT}">{escape(name)}</text>')
    return out, ((len(series) + 1) // 2) * line_h + 8


def bars(
    title: str,
    rows: Sequence[tuple[str, Sequence[float | None]]],
    series: Sequence[str],
) -> str:
    """``rows``: (label, one rate 0..1 or None per series). Returns an ``<svg>`` element."""
    legend, top = _legend(series)
    plot_w = WIDTH - VALUE_W
    row_h = FONT + 6 + len(series) * (BAR_H + BAR_GAP) + ROW_GAP
    height = top + row_h * max(1, len(rows))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="chart-title" class="chart">',
        f'<title id="chart-title">{escape(title)}</title>',
        *legend,
    ]
    for r, (label, values) in enumerate(rows):
        y = top + r * row_h
        out.append(f'<text x="0" y="{y + FONT}" font-size="{FONT}" font-weight="bold">{escape(label)}</text>')
        y += FONT + 6
        for n, value in enumerate(values):
            w = 0.0 if value is None else max(1.0, plot_w * value)
            colour = COLOURS[n % len(COLOURS)]
            out.append(f'<rect x="0" y="{y}" width="{w:.1f}" height="{BAR_H}" fill="{colour}"/>')
            text = "—" if value is None else f"{value:.0%}"
            out.append(f'<text x="{w + 5:.1f}" y="{y + BAR_H - 4}" font-size="{FONT}">{text}</text>')
            y += BAR_H + BAR_GAP
    out.append("</svg>")
    return "\n".join(out)
