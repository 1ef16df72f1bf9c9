"""Small charts drawn as SVG on the server: a figure over the years, one line per series.

An agency's page needs one chart of a handful of points; SVG written here
works offline, needs no script, and a test can count its points.
"""

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 240
MARGIN = {"left": 56, "right": 220, "top": 16, "bottom": 28}
#: Colours the series are drawn in, in order (colour-blind safe: Okabe and Ito's).
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9")


def line_chart(years: list[int], series: dict[str, list[float | None]], title: str) -> Markup:
    """An SVG chart of `series` (name → one value per year, None where unknown) over `years`."""
    values = [value for points in series.values() for value in points if value is not None]
    if not years or not values:
        return Markup("")
    top = max(values) or 1
    plot_width = WIDTH - MARGIN["left"] - MARGIN["right"]
    plot_height = HEIGHT - MARGIN["top"] - MARGIN["bottom"]

    def x(index: int) -> float:
        return MARGIN["left"] + (plot_width * index / (len(years) - 1) if len(years) > 1 else plot_width / 2)

    def y(value: float) -> float:
        return MARGIN["top"] + plot_height * (1 - value / top)

    parts = [
        f'<svg class="gxcrawl-chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{MARGIN["left"]}" y1="{y(0)}" x2="{MARGIN["left"] + plot_width}" y2="{y(0)}" stroke="#999"/>',
        f'<text x="{MARGIN["left"] - 6}" y="{y(top) + 4}" text-anchor="end">{_number(top)}</text>',
        f'<text x="{MARGIN["left"] - 6}" y="{y(0) + 4}" text-anchor="end">0</text>',
    ]
    parts += [
        f'<text x="{x(index)}" y="{HEIGHT - 8}" text-anchor="middle">{year}</text>' for index, year in enumerate(years)
    ]
    for number, (name, points) in enumerate(series.items()):
        colour = COLOURS[number % len(COLOURS)]
        known = [(x(index), y(value), value) for index, value in enumerate(points) if value is not None]
        if len(known) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _ in known)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts += [
            f'<circle class="point" cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{colour}">'
            f"<title>{escape(name)}: {_number(value)}</title></circle>"
            for px, py, value in known
        ]
        legend_y = MARGIN["top"] + 14 * number + 6
        parts.append(
            f'<rect x="{WIDTH - MARGIN["right"] + 12}" y="{legend_y - 8}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{WIDTH - MARGIN["right"] + 26}" y="{legend_y + 1}">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
