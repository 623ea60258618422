"""Scale data for the benchmark: one large organization and fifty small ones.

``manage.py seed_scale`` calls :func:`bench.scale.build.build`. Rows are
written with ``bulk_create`` in batches rather than through the services (one
service call per row would take an hour at this size), but every invariant the
services keep is kept here: risk references R-001… with the counter row, the
register's stored scores and levels derived with ``risks.scoring``, versions,
KPI thresholds that follow the direction, one measurement per period, and so
on. History rows (django-simple-history) are *not* written for scale data:
they are not read by the pages measured, and skipping them halves the time.
"""

LARGE_ORG_SLUG = "meridian-group"
LARGE_ORG_NAME = "Meridian Group"
SMALL_ORG_COUNT = 50
