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
