"""Signals the incident domain sends; the service layer listens (the domain never
imports it), e.g. to refresh the public projection and the analyses after an import."""

from django.dispatch import Signal

#: sent after an import batch commits with at least one inserted or updated incident;
#: keyword argument ``batch_id``
incidents_imported = Signal()
