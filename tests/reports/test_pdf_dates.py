from __future__ import annotations

import datetime

import pytest
from django.db import transaction

from agencies.models import Agency
from reports.documents.numbering import allocate_document_number, document_symbol
from reports.documents.pdf.dates import document_date, document_month, place_and_date
from reports.documents.pdf.header import recipient_lines, roman
from reports.models import DocumentNumber


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2022, 1, 5), "ngày 05 tháng 01 năm 2022"),
        (datetime.date(2022, 2, 9), "ngày 09 tháng 02 năm 2022"),
        (datetime.date(2022, 3, 5), "ngày 05 tháng 3 năm 2022"),
        (datetime.date(2022, 10, 10), "ngày 10 tháng 10 năm 2022"),
        (datetime.date(2022, 11, 1), "ngày 01 tháng 11 năm 2022"),
        (datetime.date(2022, 12, 31), "ngày 31 tháng 12 năm 2022"),
        (datetime.date(2021, 8, 19), "ngày 19 tháng 8 năm 2021"),
    ],
)
def test_days_under_ten_and_months_one_and_two_take_a_leading_zero(day, expected):
    assert document_date(day) == expected


def test_only_january_and_february_are_zero_padded():
    assert [document_month(m) for m in range(1, 13)] == [
        "01",
        "02",
        "3",
        "4",
        "5",
        "6",
        "7",
        "8",
        "9",
        "10",
        "11",
        "12",
    ]


def test_place_and_date_line_reads_as_in_the_decree():
    assert place_and_date("Hải Phòng", datetime.date(2022, 1, 5)) == "Hải Phòng, ngày 05 tháng 01 năm 2022"


def test_document_symbol_keeps_the_d_with_stroke_and_pads_the_number():
    assert document_symbol(number=5, kind="BC", issuer_symbol="SGDĐT") == "05/BC-SGDĐT"
    assert document_symbol(number=123, kind="BC", issuer_symbol="SGDĐT") == "123/BC-SGDĐT"
    assert document_symbol(number=None, kind="BC", issuer_symbol="SGDĐT") == "…/BC-SGDĐT"


def test_small_helpers():
    assert [roman(n) for n in (1, 4, 8, 9)] == ["I", "IV", "VIII", "IX"]
    assert recipient_lines(["Như trên;", "- UBND thành phố", "Lưu: VT, KHTC."]) == [
        "- Như trên;",
        "- UBND thành phố;",
        "- Lưu: VT, KHTC.",
    ]


def test_numbers_restart_at_one_each_year_and_per_issuing_body(plan):
    education, police = Agency.objects.get(code="SGDDT"), Agency.objects.get(code="CATP")
    with transaction.atomic():
        assert [allocate_document_number(agency=education, year=2024) for _ in range(3)] == [1, 2, 3]
        assert allocate_document_number(agency=education, year=2025) == 1
        assert allocate_document_number(agency=police, year=2024) == 1
        assert allocate_document_number(agency=education, year=2024) == 4
    assert DocumentNumber.objects.get(agency=education, year=2024).last_number == 4
