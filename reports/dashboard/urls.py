"""Routes of the consolidated dashboard (namespace "reports", included under /bao-cao/)."""

from __future__ import annotations

from django.urls import path

from reports.dashboard import export_views, views

urlpatterns = [
    path("tong-hop/", views.DashboardView.as_view(), name="dashboard"),
    path("tong-hop/bao-cao-phai-nop/", views.ExpectedReportsView.as_view(), name="dashboard_reports"),
    path("tong-hop/chua-bao-cao/", views.MissingReportsView.as_view(), name="dashboard_missing"),
    path("tong-hop/theo-nam/", views.AgencyYearsView.as_view(), name="dashboard_years"),
    path("tong-hop/bao-phu/", views.CoverageView.as_view(), name="dashboard_coverage"),
    path("tong-hop/ma-tran/", views.CoverageMatrixView.as_view(), name="dashboard_matrix"),
    path("tong-hop/bao-phu/chi-tiet/", views.CoverageCellsView.as_view(), name="dashboard_coverage_cells"),
    path("tong-hop/chi-tieu/", views.TargetsView.as_view(), name="dashboard_targets"),
    path("tong-hop/kho-khan-de-xuat/", views.IssuesView.as_view(), name="dashboard_issues"),
    path("tong-hop/kien-nghi-chung/", views.ProposalsView.as_view(), name="dashboard_proposals"),
    path("tong-hop/tep-da-xuat/", export_views.dashboard_export_list, name="dashboard_exports"),
    path("tong-hop/tep-da-xuat/<int:pk>/", export_views.dashboard_export_detail, name="dashboard_export_detail"),
    path(
        "tong-hop/tep-da-xuat/<int:pk>/tai-ve/",
        export_views.dashboard_export_download,
        name="dashboard_export_download",
    ),
]
