"""Form styling in one place: NHS.UK frontend classes and error descriptions."""

from django import forms

_CLASSES = {
    forms.Textarea: "nhsuk-textarea",
    forms.Select: "nhsuk-select",
    forms.CheckboxInput: "nhsuk-checkboxes__input",
}


class NHSForm(forms.Form):
    """A form whose widgets carry NHS.UK classes and point at their error messages."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            css = next((c for t, c in _CLASSES.items() if isinstance(widget, t)), "nhsuk-input")
            if self.errors.get(name):
                css += f" {css}--error"
                widget.attrs["aria-describedby"] = f"id_{name}-error"
            widget.attrs["class"] = css
