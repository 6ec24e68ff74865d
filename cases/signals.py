"""Signals the higher layers listen to (a lower app never imports a higher one)."""

from django.dispatch import Signal

# Sent with ``case_ids`` by services that change what a contractor must do next on those cases
# through bulk writes (``update``/``bulk_update``, which send no ``post_save``); ``portal.todo``
# refreshes ``CaseNextAction`` in the same transaction.
cases_changed = Signal()
