"""Admin forms that cannot save what would break an export.

:class:`ExportSafeForm` is the base of every admin form of the archive (``StaleEditForm``
derives from it, and ``ScopedInline`` uses it for inlines). For the fields listed in
``archive.services.markup.FRAGMENT_FIELDS`` it runs the markup check on what the user changed:
plain words are stored escaped, broken or misplaced markup is refused with a message saying
what and where. Every other text field is refused when it holds a character XML cannot carry.
Unchanged values are left alone: what an import stored is the writers' business.

Fragment fields get a textarea with the CSS class ``fonds-markup``; ``archive/markup_tools.js``
adds three buttons (emphasis, title, link) above it that wrap the selection in markup.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from archive.services.markup import fragment_clean, fragment_display, fragment_fields, text_clean

MARKUP_HELP = (
    "Plain text is fine (& and < are kept as typed). Markup such as "
    '<emph render="italic">…</emph>, <title>…</title> or <extref href="https://…">…</extref> '
    "is allowed where EAD allows it."
)


class ExportSafeForm(forms.ModelForm):
    """A model form whose text fields are checked so that no export can fail on them."""

    class Media:
        js = ["archive/markup_tools.js"]
        css = {"all": ["archive/admin_markup.css"]}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in fragment_fields(self._meta.model):
            field = self.fields.get(name)
            if field is None:
                continue
            widget = field.widget
            if isinstance(widget, forms.Textarea):
                classes = widget.attrs.get("class", "")
                widget.attrs["class"] = f"{classes} fonds-markup".strip()
            if not field.help_text:
                field.help_text = MARKUP_HELP
            if name in self.initial:
                stored = self.initial.get(name)
                if isinstance(stored, str):
                    self.initial[name] = fragment_display(self._meta.model, name, stored)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        model = self._meta.model
        markup = fragment_fields(model)
        for name in self.changed_data:
            value = cleaned.get(name)
            if not isinstance(value, str) or name in self.errors:
                continue
            try:
                if name in markup:
                    cleaned[name] = fragment_clean(model, name, value, cleaned)
                else:
                    text_clean(value)
            except ValidationError as exc:
                self.add_error(name, exc)
        return cleaned


__all__ = ["MARKUP_HELP", "ExportSafeForm"]
