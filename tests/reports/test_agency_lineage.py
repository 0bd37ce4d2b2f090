"""A commune's page shows the reports its predecessor district sent before the 2025 reorganisation, each under the
district's own name."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agencies.models import Agency
from tests.plans.reorganisation_helpers import apply, hai_phong_data
from tests.reports.submission_helpers import open_cycle, sent

pytestmark = pytest.mark.django_db


def test_a_communes_page_lists_its_predecessor_districts_reports(
    client, plan, district, district_staff, district_head, education_reviewer
):
    report_2024 = sent(open_cycle(plan, 2024), district, district_staff, district_head)
    apply(hai_phong_data())
    client.force_login(education_reviewer)

    ward = Agency.objects.get(code="P_11383")  # Phường Lê Chân took over quận Lê Chân's territory
    html = client.get(reverse("reports:agency_detail", args=[ward.pk])).content.decode()

    assert "Báo cáo của các đơn vị tiền thân" in html
    assert "Ủy ban nhân dân quận Lê Chân" in html
    assert reverse("reports:submission_detail", args=[report_2024.pk]) in html
    other = Agency.objects.get(code="P_11311")  # Phường Hồng Bàng: not on quận Lê Chân's land
    html = client.get(reverse("reports:agency_detail", args=[other.pk])).content.decode()
    assert reverse("reports:submission_detail", args=[report_2024.pk]) not in html
    assert "Báo cáo của các đơn vị tiền thân" not in html  # quận Hồng Bàng and Ngô Quyền sent nothing
