"""The error summary at the top of a form names each field once, in words a user reads."""

from django import forms
from django.template.loader import render_to_string

from joinedcare.home.forms import NHSForm, YesNoField


class _Form(NHSForm):
    reason = forms.CharField(
        label="Why do you need to see this record now?",
        error_messages={"required": "Say why you need to see this record now"},
    )
    found = forms.CharField(label="What did you find?")
    meeting = forms.CharField(label="Meeting of")
    stable = YesNoField(label="Is the person medically stable?")
    consent = YesNoField(label="Has the person agreed to share their information?")


def _summary() -> str:
    form = _Form(data={})
    form.is_valid()
    return render_to_string("includes/error_summary.html", {"form": form})


def test_a_message_the_form_wrote_stands_alone():
    html = _summary()
    assert ">Say why you need to see this record now<" in html
    assert "now?: " not in html


def test_a_generic_message_is_named_by_its_label():
    html = _summary()
    assert ">Meeting of: This field is required.<" in html
    # No colon after a question.
    assert ">What did you find? This field is required.<" in html


def test_each_yes_or_no_question_is_named():
    html = _summary()
    assert ">Answer yes or no: is the person medically stable?<" in html
    assert ">Answer yes or no: has the person agreed to share their information?<" in html


class _Named(NHSForm):
    held_on = forms.CharField(label="Meeting date")


def test_a_message_that_names_its_field_is_not_named_twice():
    form = _Named(data={"held_on": "x"})
    form.is_valid()
    form.add_error("held_on", "Enter the meeting date")
    html = render_to_string("includes/error_summary.html", {"form": form})
    assert ">Enter the meeting date<" in html and "Meeting date: Enter" not in html


def test_the_summary_takes_focus_when_the_page_loads():
    # nhsuk-frontend moves focus to a summary marked with its module, so a screen reader
    # hears the problems first.
    html = _summary()
    assert 'data-module="nhsuk-error-summary"' in html
