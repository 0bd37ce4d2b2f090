"""Forms of the submission area. They check shape and size; the services decide what may be written."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.inputs import INT_MAX, AsciiIntegerField, PlainTextField
from reports.models import Progress
from reports.submissions.checks import TEXT_MAX

TEXT_ERRORS = {
    "max_length": _(
        "Nội dung dài %(show_value)s ký tự, vượt giới hạn %(limit_value)s ký tự. Xin rút "
        "gọn hoặc đính kèm thành tệp minh chứng."
    )
}


def long_text(label, *, required: bool = False, rows: int = 4) -> forms.CharField:
    return PlainTextField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        error_messages=TEXT_ERRORS,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class GeneralForm(forms.Form):
    """The general sections of the report, and the version the page was loaded from."""

    # One below the column's maximum: a save writes version + 1 (issue 14: 2147483647 gave a 500).
    version = AsciiIntegerField(
        widget=forms.HiddenInput,
        max_value=INT_MAX - 1,
        error_messages={"invalid": _("Phiên bản không hợp lệ; xin tải lại trang.")},
    )
    assessment = long_text(_("Đánh giá chung (kết quả nổi bật)"), rows=6)
    shortcomings = long_text(_("Tồn tại, hạn chế và nguyên nhân"))
    directions = long_text(_("Phương hướng, nhiệm vụ năm tới"))
    proposals = long_text(_("Kiến nghị, đề xuất (kể cả đề xuất sửa đổi, bổ sung kế hoạch)"))


class TaskReportForm(forms.Form):
    progress = forms.ChoiceField(
        label=_("Tiến độ"),
        required=False,
        choices=[("", _("— Chọn tiến độ —")), *Progress.choices],
        error_messages={"invalid_choice": _("Tiến độ không hợp lệ.")},
    )
    results = long_text(_("Kết quả thực hiện"))
    difficulties = long_text(_("Khó khăn, vướng mắc"), rows=2)
    proposals = long_text(_("Đề xuất, kiến nghị"), rows=2)


class IssuedDocumentForm(forms.Form):
    number = PlainTextField(label=_("Số, ký hiệu"), max_length=80, required=False)
    issued_on = forms.DateField(
        label=_("Ngày ban hành"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Ngày không hợp lệ (dd/mm/yyyy).")},
    )
    title = PlainTextField(label=_("Trích yếu"), max_length=500, required=False)

    def clean(self):
        data = super().clean()
        filled = [bool(data.get(name)) for name in ("number", "issued_on", "title")]
        if any(filled) and not all(filled) and not data.get("DELETE"):
            raise forms.ValidationError(_("Văn bản cần đủ số, ngày ban hành và trích yếu."))
        return data

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not any(data.get(name) for name in ("number", "issued_on", "title"))


class LabelledDocumentFormSet(forms.BaseFormSet):
    """Every input of a document row carries its own accessible name (the column header is not a label for a
    screen reader, and axe counted 134 unlabelled inputs on a district's form)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = (index or 0) + 1
        for name, field in form.fields.items():
            label = _("Xóa") if name == "DELETE" else field.label
            field.widget.attrs["aria-label"] = f"{label} ({_('văn bản')} {row})"


IssuedDocumentFormSet = forms.formset_factory(
    IssuedDocumentForm,
    formset=LabelledDocumentFormSet,
    extra=1,
    can_delete=True,
    max_num=50,
    validate_max=True,
    absolute_max=60,
)


class TargetValueForm(forms.Form):
    value = forms.DecimalField(
        label=_("Giá trị đạt được"),
        required=False,
        max_digits=12,
        decimal_places=2,
        error_messages={
            "invalid": _("Giá trị chỉ tiêu phải là một số (ví dụ 68,5)."),
            "max_digits": _("Giá trị quá lớn."),
            "max_decimal_places": _("Tối đa 2 chữ số thập phân."),
        },
        localize=True,
    )
    note = PlainTextField(label=_("Ghi chú"), max_length=500, required=False)


class ReasonForm(forms.Form):
    reason = long_text(_("Lý do"), required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = _("Xin ghi rõ lý do.")


class CommentForm(forms.Form):
    comment = long_text(_("Ý kiến (không bắt buộc)"), rows=2)


class ReasonInput(forms.Form):
    """What a return, reopen or unlock button posts: the shape and size are checked here; whether a reason is
    needed, and the sentence that asks for it, is the service's business."""

    reason = long_text(_("Lý do"))


class StartForm(forms.Form):
    """Start this year's report: which reporting rule (when the agency owes more than one), and whether to copy
    last year's accepted report."""

    rule = AsciiIntegerField(required=False, error_messages={"invalid": _("Quy định báo cáo không hợp lệ.")})
    prefill = forms.BooleanField(required=False)


class SendForm(forms.Form):
    """The Send button of the report page names the version it was shown (absent: the current one)."""

    version = AsciiIntegerField(
        required=False, error_messages={"invalid": _("Phiên bản không hợp lệ; xin tải lại trang.")}
    )


def form_errors(form: forms.Form) -> str:
    """A refused form's messages in one sentence, for the message a button's page shows."""
    return " ".join(str(message) for errors in form.errors.values() for message in errors)


class SubmissionEditForms:
    """The whole edit page as one unit: general sections, one form and one document formset per task report,
    one form per target. Built only for this report's own task reports and targets, so an id forged into the
    POST has no form to land in and is ignored; a section missing from the POST is left as it is."""

    def __init__(self, page, data=None):
        submission = page.submission
        self.data = data
        self.general = GeneralForm(
            data,
            initial={
                "version": submission.version,
                **{
                    name: getattr(submission, name)
                    for name in ("assessment", "shortcomings", "directions", "proposals")
                },
            },
        )
        self.tasks = []
        for row in page.rows:
            report = row.report
            present = data is None or f"t{report.pk}-progress" in data
            form = TaskReportForm(
                data if present else None,
                prefix=f"t{report.pk}",
                initial={
                    "progress": report.progress,
                    "results": report.results,
                    "difficulties": report.difficulties,
                    "proposals": report.proposals,
                },
            )
            documents = IssuedDocumentFormSet(
                data if present else None,
                prefix=f"d{report.pk}",
                initial=[
                    {"number": d.number, "issued_on": d.issued_on, "title": d.title} for d in report.documents.all()
                ],
            )
            self.tasks.append((row, form, documents, present))
        self.targets = []
        for target in page.targets:
            value = page.target_values.get(target.pk)
            present = data is None or f"g{target.pk}-value" in data
            form = TargetValueForm(
                data if present else None,
                prefix=f"g{target.pk}",
                initial={"value": value.value if value else None, "note": value.note if value else ""},
            )
            # The target's name is in the row's first cell; each input still needs its own accessible name.
            for field in form.fields.values():
                field.widget.attrs["aria-label"] = f"{field.label}: {target.name}"
            self.targets.append((target, form, present))

    def is_valid(self) -> bool:
        valid = self.general.is_valid()
        for _row, form, documents, present in self.tasks:
            if present:
                valid = form.is_valid() & documents.is_valid() & valid
        for _target, form, present in self.targets:
            if present:
                valid = form.is_valid() & valid
        return valid

    def general_data(self) -> dict[str, str]:
        return {
            name: value for name, value in self.general.cleaned_data.items() if name != "version" and name in self.data
        }

    def task_inputs(self) -> dict:
        from reports.submissions.services import DocumentInput, TaskInput

        result = {}
        for row, form, documents, present in self.tasks:
            if not present:
                continue
            docs = [
                DocumentInput(
                    number=d.cleaned_data["number"],
                    issued_on=d.cleaned_data["issued_on"],
                    title=d.cleaned_data["title"],
                )
                for d in documents.forms
                if not d.is_blank and not d.cleaned_data.get("DELETE")
            ]
            result[row.report.pk] = TaskInput(
                documents=docs,
                **{name: form.cleaned_data[name] for name in ("progress", "results", "difficulties", "proposals")},
            )
        return result

    def target_inputs(self) -> dict:
        from reports.submissions.services import TargetInput

        return {
            target.pk: TargetInput(value=form.cleaned_data["value"], note=form.cleaned_data["note"])
            for target, form, present in self.targets
            if present
        }

    def error_count(self) -> int:
        count = len(self.general.errors)
        for _row, form, documents, present in self.tasks:
            if present:
                count += len(form.errors) + sum(len(e) for e in documents.errors) + len(documents.non_form_errors())
        for _target, form, present in self.targets:
            if present:
                count += len(form.errors)
        return count
