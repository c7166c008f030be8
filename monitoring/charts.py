"""Charts drawn on the server as SVG: no JavaScript, nothing loaded from elsewhere.

Each chart is a picture of the data table printed beside it (which screen readers read); every
label goes through format_html, so a category's name is text, never markup.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 560
BAR = 24
GAP = 6
LABEL_WIDTH = 230
LABEL_CHARS = 28


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def bar_chart(rows: list[tuple[str, int]], *, title: str) -> SafeString:
    """Horizontal bars, one per row, longest first as given, each labelled with its count."""
    height = max(len(rows), 1) * (BAR + GAP) + GAP
    largest = max((n for _label, n in rows), default=0) or 1
    room = WIDTH - LABEL_WIDTH - 60
    bars = format_html_join(
        "",
        '<g><title>{}: {}</title><text x="{}" y="{}" text-anchor="end" class="chart-label">{}'
        '</text><rect x="{}" y="{}" width="{}" height="{}" class="chart-bar"></rect>'
        '<text x="{}" y="{}" class="chart-value">{}</text></g>',
        (
            (
                label,
                n,
                LABEL_WIDTH - 8,
                GAP + i * (BAR + GAP) + BAR * 0.7,
                _short(label),
                LABEL_WIDTH,
                GAP + i * (BAR + GAP),
                max(round(room * n / largest), 1 if n else 0),
                BAR,
                LABEL_WIDTH + max(round(room * n / largest), 1) + 6,
                GAP + i * (BAR + GAP) + BAR * 0.7,
                n,
            )
            for i, (label, n) in enumerate(rows)
        ),
    )
    return _svg(title, height, bars)


def column_chart(columns: list[tuple[str, int]], *, title: str) -> SafeString:
    """Vertical columns in time order (months); every few columns named under the axis."""
    height, axis = 220, 190
    count = max(len(columns), 1)
    step = (WIDTH - 60) / count
    largest = max((n for _label, n in columns), default=0) or 1
    every = max(1, round(count / 8))
    parts = format_html_join(
        "",
        '<g><title>{}: {}</title><rect x="{}" y="{}" width="{}" height="{}" class="chart-bar">'
        "</rect>{}</g>",
        (
            (
                label,
                n,
                round(30 + i * step + step * 0.1, 1),
                round(axis - (axis - 20) * n / largest, 1),
                round(step * 0.8, 1),
                round((axis - 20) * n / largest, 1),
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" class="chart-label">{}</text>',
                    round(30 + i * step + step / 2, 1),
                    axis + 18,
                    label,
                )
                if i % every == 0
                else "",
            )
            for i, (label, n) in enumerate(columns)
        ),
    )
    axis_line = format_html(
        '<line x1="30" y1="{}" x2="{}" y2="{}" class="chart-axis"></line>', axis, WIDTH - 30, axis
    )
    return _svg(title, height, parts + axis_line)


def _svg(title: str, height: int, body: SafeString) -> SafeString:
    return format_html(
        '<svg viewBox="0 0 {} {}" width="100%" role="img" class="chart" '
        'xmlns="http://www.w3.org/2000/svg"><title>{}</title>{}</svg>',
        WIDTH,
        height,
        title,
        body,
    )
