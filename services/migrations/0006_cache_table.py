"""The shared cache (CACHES: OGC extents and counts, tiles) lives in PostgreSQL: its
table is made by migrate, so no deployment step can forget it."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("services", "0005_rate_limit")]
    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
