"""The rate limiter's buckets (services/ratelimit.py): one row per client.

UNLOGGED: buckets are worth nothing after a crash (everyone starts with a full bucket),
so they skip the write-ahead log and cost little per request.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("services", "0004_projections_replace_views")]

    operations = [
        migrations.RunSQL(
            "CREATE UNLOGGED TABLE bco_rate_limit (client text PRIMARY KEY, tat double precision NOT NULL)",
            "DROP TABLE bco_rate_limit",
        ),
    ]
