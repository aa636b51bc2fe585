"""The services app stores nothing of its own: derived layers live in geo_bco's
tables (one per layer kind) and what each audience may read is the set of
projections in ``services/projections.py``."""
