"""The server-side SVG charts: well-formed, sized for WeasyPrint, escaped, Vietnamese, one palette."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

from reports.dashboard.charts import STATUS_COLOURS, progress_chart, target_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_progress_chart_stacks_one_segment_per_nonzero_status_with_the_fixed_palette():
    root = parse(
        progress_chart(
            [
                ("1. Lãnh đạo, chỉ đạo", {"done": 2, "in_progress": 1, "overdue": 0}),
                ("2. Đổi mới quản lý", {"not_started": 3, "no_report": 1}),
            ]
        )
    )
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    palette = dict(STATUS_COLOURS)
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert [r.get("fill") for r in bars] == [
        palette["done"],
        palette["in_progress"],
        palette["not_started"],
        palette["no_report"],
    ]
    assert float(bars[0].get("width")) == 2 * float(bars[1].get("width"))  # one scale for every bar
    words = texts(root)
    assert "1. Lãnh đạo, chỉ đạo" in words and "Đã hoàn thành" in words and "Chưa có báo cáo" in words


def test_labels_are_escaped_and_long_ones_shortened_with_the_full_text_kept_as_a_tooltip():
    label = "<script>alert(1)</script> & nhóm có tên rất dài về đổi mới căn bản, toàn diện giáo dục"
    svg = progress_chart([(label, {"done": 1})], title="Tiến độ <b>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == "Tiến độ <b>"
    assert any(t.endswith("…") for t in texts(root))
    assert label in [t.text for t in root.iter(f"{SVG}title")]


def test_target_chart_draws_a_bar_per_year_in_order_and_a_dashed_target_line():
    root = parse(
        target_chart(
            title="Tỷ lệ trường đạt chuẩn quốc gia",
            unit="%",
            target=Decimal("66"),
            points=[(2023, Decimal("58.5")), (2022, 52)],
            target_label="Mục tiêu 2025: 66%",
        )
    )
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert [b.find(f"{SVG}title").text for b in bars] == ["2022: 52%", "2023: 58,5%"]
    assert float(bars[1].get("height")) > float(bars[0].get("height"))
    dashed = [line for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray")]
    assert len(dashed) == 2  # the target line across the plot and its sample in the legend
    height, top, bottom = float(root.get("height")), 52, 34
    expected_y = top + (height - top - bottom) * (1 - 66 / 100)
    target_line = max(dashed, key=lambda line: float(line.get("x2")) - float(line.get("x1")))
    assert abs(float(target_line.get("y1")) - expected_y) < 0.1
    assert "Mục tiêu 2025: 66%" in texts(root) and "58,5%" in texts(root)
    # The target's words sit above the plot, where no bar's figure can run into them.
    (legend,) = [t for t in root.iter(f"{SVG}text") if t.text == "Mục tiêu 2025: 66%"]
    assert float(legend.get("y")) < top


def test_target_chart_without_values_says_so():
    root = parse(target_chart(title="Phân luồng", unit="%", points=[], target=70))
    assert "chưa có số liệu" in texts(root)
    assert not [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]


def test_target_chart_writes_its_figures_over_the_target_line_with_one_decimal_each():
    """Seen at national scale: the dashed line struck through the figures near the target ("25,8%", "63,5%"), and
    "65%" stood beside "59,5%". The figures are drawn after the line (their white halo over it) and, when any has
    a decimal, all have one."""
    svg = target_chart(title="Phân luồng", unit="%", target=70, points=[(2022, Decimal("59.5")), (2023, 65)])
    root = parse(svg)
    figures = [t for t in root.iter(f"{SVG}text") if (t.text or "").endswith("%") and t.get("paint-order")]
    assert [t.text for t in figures] == ["59,5%", "65,0%"]
    elements = list(root)
    (target_line,) = [
        e
        for e in elements
        if e.tag == f"{SVG}line" and e.get("stroke-dasharray") and e.get("x1") == "44" and float(e.get("x2")) > 100
    ]
    assert all(elements.index(f) > elements.index(target_line) for f in figures)
    whole = parse(target_chart(title="Phân luồng", unit="%", target=70, points=[(2022, 60), (2023, Decimal("65.0"))]))
    assert [t.text for t in whole.iter(f"{SVG}text") if t.get("paint-order")] == ["60%", "65%"]
