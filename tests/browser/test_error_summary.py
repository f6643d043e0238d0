"""After a failed submit the error summary takes focus, so a screen reader hears the
problems first, and its links go to the fields."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_keep_alive import _break_glass_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_summary_is_focused_and_links_to_the_field(page):
    _break_glass_form(page)
    page.get_by_role("button", name="Break glass and open the record").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Say why you need to see this record now").click()
    expect(page.get_by_label("Why do you need to see this record now?")).to_be_focused()
