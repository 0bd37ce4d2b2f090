"""Charts drawn on the server as SVG strings: no JavaScript, no CDN, the same picture on the page and in the PDF.

Pure functions: plain numbers and labels in, an SVG document (a str) out. Every picture has a viewBox and a
width/height in px so that WeasyPrint and browsers size it the same way; every text is XML-escaped; colours come
from one fixed palette. Embed the result as is in HTML ({{ svg|safe }}: the functions escape everything they
draw) or base64 it into an <img src="data:image/svg+xml;base64,…">.

    progress_chart([("1. Lãnh đạo", {"done": 2, "in_progress": 1}), …], title="Tiến độ theo nhóm")
    target_chart(title="Tỷ lệ trường đạt chuẩn quốc gia", unit="%", points=[(2022, 52.5), (2023, 58.0)],
                 target=66, target_label="Mục tiêu 2025: 66%")
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from html import escape

from django.utils.translation import gettext as _

from hptracker.formatting import format_decimal, round_half_up

FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
INK, MUTED, GRID, TARGET = "#1d2733", "#5b6776", "#d8dee6", "#b3261e"

# Task statuses in drawing order, each with its fixed colour (done green … no report grey).
STATUS_COLOURS: list[tuple[str, str]] = [
    ("done", "#1e7b45"),
    ("in_progress", "#1f5fa8"),
    ("not_started", "#c9a227"),
    ("overdue", "#b3261e"),
    ("no_report", "#9aa5b1"),
]
BAR = "#1f5fa8"


def _status_labels() -> dict[str, str]:
    # Translated at call time, in the language of the request or of the PDF being rendered.
    return {
        "done": _("Đã hoàn thành"),
        "in_progress": _("Đang thực hiện"),
        "not_started": _("Chưa thực hiện"),
        "overdue": _("Quá hạn"),
        "no_report": _("Chưa có báo cáo"),
    }


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _text(
    x: float, y: float, text: object, *, size: int = 12, anchor: str = "start", fill: str = INK, weight: str = "normal"
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
        f'font-weight="{weight}">{_e(text)}</text>'
    )


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _svg(width: int, height: int, title: str, body: list[str], *, font: str = FONT) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" font-family="{_e(font)}"><title>{_e(title)}</title>'
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>' + "".join(body) + "</svg>"
    )


def format_number(value: float) -> str:
    """hptracker.formatting.format_decimal: half up, no trailing zeros, decimal comma in Vietnamese (66 -> "66",
    52.5 -> "52,5")."""
    return format_decimal(value)


def progress_chart(
    rows: Sequence[tuple[str, Mapping[str, int]]],
    *,
    title: str = "",
    width: int = 760,
    font: str = FONT,
    wrap_at: int = 0,
) -> str:
    """Horizontal bars, one per task group, stacked by task status.

    rows: (group label, {status: number of tasks}) with statuses among done, in_progress, not_started,
    overdue, no_report (missing keys count 0). Bars share one scale (the largest group), so groups compare.
    `wrap_at` > 0 wraps each label at that many characters (rows grow to fit) instead of shortening it with "…":
    a printed document has no tooltip to show the rest. `font` is the font-family of every text.
    """
    title = title or _("Tiến độ thực hiện nhiệm vụ theo nhóm")
    labels = _status_labels()
    # Printed (wrap_at > 0), the chart is drawn at the page's width and shown at scale 1, so 12 px is 9 pt.
    size = 12 if wrap_at else 11
    label_w, bar_h, gap, top = (250 if not wrap_at else 6 * wrap_at), 22, 10, 34
    line_h = 13 if not wrap_at else 15
    legend_h = 36
    label_lines = [
        textwrap.wrap(str(label), wrap_at) or [""] if wrap_at else [_shorten(str(label), 38)] for label, _c in rows
    ]
    row_heights = [max(bar_h, line_h * len(lines) + 6) for lines in label_lines]
    height = top + sum(h + gap for h in row_heights) + legend_h
    scale_max = max([sum(counts.values()) for _label, counts in rows] + [1])
    plot_w = width - label_w - 50
    body = [_text(0, 18, title, size=14, weight="bold")]
    y = top
    for (label, counts), lines, row_h in zip(rows, label_lines, row_heights, strict=True):
        texts = "".join(_text(0, y + 15 + i * line_h, line, size=12) for i, line in enumerate(lines))
        body.append(f"<g><title>{_e(label)}</title>{texts}</g>")
        bar_y = y + (row_h - bar_h) // 2
        x = float(label_w)
        for key, colour in STATUS_COLOURS:
            count = int(counts.get(key, 0) or 0)
            if not count:
                continue
            w = plot_w * count / scale_max
            body.append(
                f'<rect x="{x:.1f}" y="{bar_y}" width="{w:.1f}" height="{bar_h}" fill="{colour}">'
                f"<title>{_e(labels[key])}: {count}</title></rect>"
            )
            if w >= 18:
                body.append(_text(x + w / 2, bar_y + 15, count, size=size, anchor="middle", fill="#ffffff"))
            x += w
        total = sum(int(v or 0) for v in counts.values())
        body.append(_text(x + 6, bar_y + 15, total, size=size, fill=MUTED))
        y += row_h + gap
    y = height - legend_h + 16
    x = 0.0
    for key, colour in STATUS_COLOURS:
        body.append(f'<rect x="{x:.1f}" y="{y - 10}" width="12" height="12" fill="{colour}"/>')
        body.append(_text(x + 16, y, labels[key], size=size))
        x += 22 + 0.66 * size * len(labels[key])
    return _svg(width, height, title, body, font=font)


def target_chart(
    *,
    title: str,
    unit: str,
    points: Sequence[tuple[int, float]],
    target: float,
    target_label: str = "",
    width: int = 560,
    height: int = 280,
) -> str:
    """Vertical bars of a target's reported value year by year, with the target as a dashed line.

    points: (year, value) pairs in any order (values may be Decimal); target: Target.target_value.
    An empty `points` draws the axes, the target line and the words "chưa có số liệu".
    """
    # The target's label is a legend under the title, not a caption on its line: on the line it ran into the
    # value written above a bar that nearly meets the target ("69,7%Mục tiêu 2025: 70%", seen on make run).
    left, right, top, bottom = 44, 16, 52, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [float(v) for _year, v in points]
    ceiling = (
        100.0 if unit == "%" and max(values + [float(target)]) <= 100 else max(values + [float(target)]) * 1.15 or 1.0
    )
    body = [_text(0, 18, title, size=14, weight="bold")]

    def y_of(value: float) -> float:
        return top + plot_h * (1 - value / ceiling)

    for step in range(5):
        level = ceiling * step / 4
        y = y_of(level)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y + 4, format_number(level), size=10, anchor="end", fill=MUTED))
    ordered = sorted(points, key=lambda p: p[0])
    if not ordered:
        body.append(_text(left + plot_w / 2, top + plot_h / 2, _("chưa có số liệu"), anchor="middle", fill=MUTED))
    slot = plot_w / max(len(ordered), 1)
    # The bars' figures side by side, with one decimal each when any has one ("65,0%" beside "59,5%", not "65%").
    rounded = [round_half_up(float(raw), 1) for _year, raw in ordered]
    keep_zeros = any(value != value.to_integral_value() for value in rounded)
    # Drawn after the target line, so that their white halo keeps them legible where the line crosses them.
    figures: list[str] = []
    for index, (year, raw) in enumerate(ordered):
        value = float(raw)
        x = left + index * slot + slot * 0.2
        y = y_of(value)
        fill = BAR if value >= float(target) else "#7fa3cf"
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.6:.1f}" height="{top + plot_h - y:.1f}" '
            f'fill="{fill}"><title>{_e(year)}: {_e(format_number(value))}{_e(unit)}</title></rect>'
        )
        figure = format_decimal(value, keep_zeros=keep_zeros)
        figures.append(
            f'<text x="{x + slot * 0.3:.1f}" y="{y - 4:.1f}" font-size="10" text-anchor="middle" fill="{INK}" '
            f'stroke="#ffffff" stroke-width="3" paint-order="stroke">{_e(figure)}{_e(unit)}</text>'
        )
        body.append(_text(x + slot * 0.3, height - bottom + 16, year, size=11, anchor="middle", fill=MUTED))
    ty = y_of(float(target))
    body.append(
        f'<line x1="{left}" y1="{ty:.1f}" x2="{width - right}" y2="{ty:.1f}" stroke="{TARGET}" '
        f'stroke-width="2" stroke-dasharray="6 4"/>'
    )
    body.extend(figures)
    label = target_label or _("Mục tiêu: %(value)s%(unit)s") % {"value": format_number(float(target)), "unit": unit}
    legend_y = top - 14
    body.append(
        f'<line x1="{left}" y1="{legend_y - 4}" x2="{left + 24}" y2="{legend_y - 4}" stroke="{TARGET}" '
        f'stroke-width="2" stroke-dasharray="6 4"/>'
    )
    body.append(_text(left + 30, legend_y, label, size=11, fill=TARGET))
    body.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{INK}"/>')
    return _svg(width, height, title, body)


def group_progress_chart(groups, *, font: str = FONT, wrap_at: int = 0, width: int = 760) -> str:
    """The dashboard's progress chart of the plan's task groups (selectors_progress.GroupProgress: number,
    title, counts): the one picture both the dashboard page and the consolidated PDF print (the PDF with its
    own serif font, wrapped labels and the page's width)."""
    rows = [(f"{g.number}. {g.title}", g.counts) for g in groups]
    return progress_chart(rows, font=font, wrap_at=wrap_at, width=width)
