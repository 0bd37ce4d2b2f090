"""Each figure of the dashboard and of the consolidated report in one sentence: what is counted, from which date.
The dashboard shows them as help text; README.md says the same (Vietnamese and English). The definitions they
describe live in reports.cycles.selectors (expected, states), reports.dashboard.basis (accepted only) and
hptracker.formatting (rounding)."""

from __future__ import annotations

from django.utils.translation import gettext as _


def figure_help_texts() -> list[tuple[str, str]]:
    """(figure, sentence) in the order the main page shows the figures."""
    return [
        (
            _("Phải báo cáo"),
            _(
                "Mỗi cơ quan một báo cáo cho mỗi chế độ báo cáo mà cơ quan thuộc một mục tổ chức thực hiện của chế "
                "độ đó và còn tồn tại vào ngày hạn gửi; cơ quan tiếp nhận (sáp nhập, chia tách, đổi tên) phải báo "
                "cáo từ năm tiếp nhận."
            ),
        ),
        (
            _("Đã gửi"),
            _("Báo cáo đang chờ thẩm định hoặc đã được chấp nhận; được tính là đã nhận từ lần gửi đầu tiên."),
        ),
        (
            _("Đúng hạn"),
            _(
                "Lần gửi đầu tiên trước khi hết ngày hạn gửi theo giờ Việt Nam (23 giờ 59 ngày hạn vẫn đúng hạn); "
                "gửi lại sau khi bị trả lại không làm thay đổi."
            ),
        ),
        (_("Muộn"), _("Lần gửi đầu tiên sau ngày hạn gửi; số ngày chậm tính từ ngày hạn gửi đến ngày gửi đầu tiên.")),
        (_("Trả lại"), _("Báo cáo bị trả lại và chưa gửi lại: vẫn phải gửi, không tính là đã gửi.")),
        (_("Chưa gửi"), _("Chưa lập báo cáo, hoặc bản nháp chưa gửi lần nào.")),
        (
            _("Tỷ lệ báo cáo"),
            _(
                "Số đã gửi chia cho số phải báo cáo, tính theo phần trăm, làm tròn một chữ số thập phân "
                "(5 làm tròn lên)."
            ),
        ),
        (_("Tỷ lệ đúng hạn"), _("Số gửi đúng hạn chia cho số phải báo cáo, làm tròn như tỷ lệ báo cáo.")),
        (
            _("Tình trạng nhiệm vụ"),
            _(
                "Theo báo cáo đã được chấp nhận của các cơ quan chủ trì trong kỳ, tính đến ngày xem; báo cáo đang chờ "
                "thẩm định chưa được tính."
            ),
        ),
        (
            _("Chỉ tiêu"),
            _(
                "Trung bình các giá trị trong báo cáo đã được chấp nhận của từng năm, làm tròn một chữ số thập phân "
                "(5 làm tròn lên)."
            ),
        ),
    ]
