"""The shared field template: every error shown, under one element the input points to."""

from django import forms
from django.template.loader import render_to_string

from joinedcare.home.forms import NHSForm


class _Form(NHSForm):
    name = forms.CharField(label="Name")


def test_two_errors_on_a_field_share_one_error_element():
    form = _Form(data={"name": ""})
    form.is_valid()
    form.add_error("name", "Use the name on the record")
    html = render_to_string("includes/field.html", {"field": form["name"]})
    # aria-describedby names one id: two elements with it would leave one unread.
    assert html.count('id="id_name-error"') == 1
    assert "This field is required." in html and "Use the name on the record" in html


def test_an_error_added_after_validation_marks_its_field():
    # As when an action refuses a valid form ("The review date must be today or later").
    form = _Form(data={"name": "Ann"})
    assert form.is_valid()
    form.add_error("name", "No such person")
    html = render_to_string("includes/field.html", {"field": form["name"]})
    assert 'class="nhsuk-input nhsuk-input--error"' in html
    assert 'aria-describedby="id_name-error"' in html and 'id="id_name-error"' in html
