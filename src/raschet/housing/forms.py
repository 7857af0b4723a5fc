"""Forms of the address fund: the inline lists of dated rows, read as step series.

An inline shows every dated row of its parent (the areas of a premises, the residents or services
of an account), so it is the whole list, like a scenario's ``residents``: a row left without
«действует по» is in force until the next row of its key begins (``domain.series.step_ends``), the
last one open-ended. Adding «4 проживающих с 11.04» under «3 с 2010» therefore closes the earlier
row on 11.04 in the same save, instead of being refused as an overlap with a row that could only be
closed by another save first. Two rows of a key starting on one day, or an explicit end after the
next row's start, are refused with both intervals named.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from raschet.domain.errors import problem
from raschet.domain.series import step_ends


class StepInlineFormSet(BaseInlineFormSet):
    """Inline formset of a ``DatedModel``: its rows are checked and ended among themselves."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        # These rows are checked against each other in clean(), with their new dates: the database
        # copy of a row being edited here must not count as a clash (DatedModel.overlapping).
        form.instance._edited_together = self._row_ids()
        return form

    def _row_ids(self) -> frozenset:
        if not hasattr(self, "_ids"):
            self._ids = frozenset(self.get_queryset().values_list("pk", flat=True)) if self.instance.pk else frozenset()
        return self._ids

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        forms = [f for f in self.forms if f.cleaned_data and not self._should_delete_form(f)]
        model = self.model
        rows = [(tuple(getattr(f.instance, name) for name in model.overlap_key), f.instance.valid_from,
                 f.instance.valid_to) for f in forms]
        ends, issues = step_ends(rows)
        if issues:
            raise ValidationError([self._message(forms, issue) for issue in issues])
        for form, end in zip(forms, ends, strict=True):
            if form.instance.valid_to != end:  # the step ends where the next one begins
                form.instance.valid_to = form.cleaned_data["valid_to"] = end
                if "valid_to" not in form.changed_data:
                    form.changed_data.append("valid_to")  # saved even if nothing else on the row changed

    def _message(self, forms, issue) -> str:
        later = forms[issue.later].instance
        if issue.earlier is None:
            return problem("invalid_range", "", field="действует по", start=later.valid_from, end=later.valid_to).message
        first = forms[issue.earlier].instance.interval_text()
        return problem(issue.kind, "", what=self.model.overlap_label, first=first, second=later.interval_text(),
                       date=later.valid_from.strftime("%d.%m.%Y")).message
