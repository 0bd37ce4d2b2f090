"""What every list of the dashboard shares: a bounded pager and the export of exactly the filtered rows.

Pages are capped (`hptracker.paging.CappedPaginator`: MAX_PAGES pages of `PER_PAGE` rows): a deep OFFSET costs as
much as reading every skipped row, and nobody reads page 2,998 of a list; beyond the cap the page says to filter or
to export. Exports go through
`exports`: a short list is answered from the request, a long one is queued as a DashboardExport.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from hptracker.formatting import format_count
from hptracker.paging import CappedPaginator
from reports.dashboard import exports
from reports.dashboard.figures_cache import one_version
from reports.dashboard.tasks import render_dashboard_export
from reports.models import DashboardExport
from reports.outbox.services import outbox_enqueue

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PER_PAGE = 50


PAGINATION = {"per_page": PER_PAGE, "paginator_class": CappedPaginator}


class TableExportMixin:
    """?_export=csv|xlsx on a dashboard list: the same rows as the page (scope, access, filters, sort), written as
    values. Up to settings.EXPORT_STREAM_MAX_ROWS rows the file comes back in the response; above, the export is
    queued and the requester is sent to its progress page."""

    export_formats = ("csv", "xlsx")
    export_trigger_param = exports.TRIGGER
    export_name = ""
    export_title: StrOrPromise = ""
    scope: Any  # set by the view's dispatch (DashboardAccessMixin)
    _exporting = False

    def get_export_filename(self, export_format: str) -> str:
        return f"{self.export_name}-{self.export_years()}.{export_format}"

    def export_years(self) -> str:
        """The part of the file's name that says which year it holds: the page's cycle."""
        return str(self.scope.year or "tat-ca")

    def get_table_pagination(self, table):
        return False if self._exporting else super().get_table_pagination(table)

    def export_table(self):
        """The page's table, unpaginated, built as the page builds it (FilterView's rules for invalid filters)."""
        self._exporting = True
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None:
            view = self  # a FilterView
            view.filterset = view.get_filterset(filterset_class)
            valid = not view.filterset.is_bound or view.filterset.is_valid() or not view.get_strict()
            view.object_list = view.filterset.qs if valid else view.filterset.queryset.none()
        return self.get_table(**self.get_table_kwargs())

    def get(self, request, *args, **kwargs):
        export_format = request.GET.get(self.export_trigger_param)
        if export_format not in self.export_formats:
            return super().get(request, *args, **kwargs)
        answer = exports.export_respond(
            request=request,
            table=self.export_table(),
            export_format=export_format,
            filename=self.get_export_filename(export_format),
            title=str(self.export_title),
        )
        if not isinstance(answer, DashboardExport):
            return answer
        # Through the outbox, like every queued job: a broker outage leaves it pending, never a failed request.
        outbox_enqueue(task_name=render_dashboard_export.name, args=[answer.pk])
        messages.info(
            request,
            _("Danh sách có %(n)s dòng nên tệp được tạo trong nền; trang này cho biết khi nào tải về được.")
            % {"n": format_count(answer.row_count)},
        )
        return redirect("reports:dashboard_export_detail", answer.pk)

    @classmethod
    def table_for_export(cls, request):
        """For the worker: the table this page would export for `request` (its user and query string)."""
        view = cls()
        view.setup(request)
        view.prepare_for_export(request)
        # As a page does (DashboardAccessMixin.dispatch): every figure of the export of one version, read once.
        with one_version():
            return view.export_table()
