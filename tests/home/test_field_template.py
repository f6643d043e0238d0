"""The shared field template: every error shown, under one element the input points to."""

import re

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


class _Choices(NHSForm):
    code = forms.CharField(label="Code", help_text="Six digits from the app")
    stable = forms.ChoiceField(
        label="Is the person medically stable?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        help_text="Ask the ward",
    )
    share = forms.MultipleChoiceField(
        label="Share the plan with",
        choices=[("gp", "GP"), ("carer", "Carer")],
        widget=forms.CheckboxSelectMultiple,
    )


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', html))


def test_a_hint_is_read_with_its_input():
    form = _Choices()
    html = render_to_string("includes/field.html", {"field": form["code"]})
    # Every id the input is described by exists: screen readers read the hint.
    described = re.search(r'aria-describedby="([^"]+)"', html).group(1).split()
    assert described == ["id_code-hint"] and set(described) <= _ids(html)


def test_radios_are_a_question_with_a_legend_and_options_with_labels():
    form = _Choices(data={})
    form.is_valid()
    html = render_to_string("includes/field.html", {"field": form["stable"]})
    assert '<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">' in html
    assert 'aria-describedby="id_stable-hint id_stable-error"' in html
    assert {"id_stable-hint", "id_stable-error", "id_stable_0", "id_stable_1"} <= _ids(html)
    assert 'for="id_stable_0"' in html and 'class="nhsuk-radios__input"' in html
    assert 'for=""' not in html


def test_the_error_summary_links_a_group_to_its_first_option():
    form = _Choices(data={})
    form.is_valid()
    fields = "".join(
        render_to_string("includes/field.html", {"field": form[name]}) for name in form.fields
    )
    summary = render_to_string("includes/error_summary.html", {"form": form})
    targets = re.findall(r'<a href="#([^"]*)"', summary)
    assert targets == ["id_code", "id_stable_0", "id_share_0"]
    assert set(targets) <= _ids(fields)
