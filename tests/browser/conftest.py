"""Every browser test fails when a page it visited broke the Content-Security-Policy (an inline script or style
left in a template, a handler attribute): the console is watched for the whole test."""

from __future__ import annotations

import pytest

from tests.browser.helpers import ConsoleErrors


@pytest.fixture(autouse=True)
def console_errors(request):
    if "page" not in request.fixturenames:
        yield None
        return
    errors = ConsoleErrors(request.getfixturevalue("page"))
    yield errors
    errors.assert_no_csp_violation()
