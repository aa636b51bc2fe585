from django.db import migrations

# Frozen copy of the seed taxonomy at the time of this migration: later edits to
# geo_bco/taxonomy.py need their own migration, so history replays the same way.
OFFENCES = (
    ("murder", "Murder", "violent", False),
    ("attempted-murder", "Attempted murder", "violent", False),
    ("shooting", "Shooting (discharge of firearm at a person)", "violent", False),
    ("wounding", "Wounding / grievous harm", "violent", False),
    ("harm", "Harm / dangerous harm", "violent", False),
    ("robbery", "Robbery", "violent", False),
    ("kidnapping", "Kidnapping", "violent", True),
    ("rape", "Rape", "sexual", True),
    ("sexual-offence", "Other sexual offence (incl. carnal knowledge)", "sexual", True),
    ("domestic-violence", "Domestic violence", "violent", True),
    ("burglary", "Burglary", "property", False),
    ("theft", "Theft", "property", False),
    ("theft-of-vehicle", "Theft of motor vehicle / motorcycle / bicycle", "property", False),
    ("handling-stolen-goods", "Handling stolen goods", "property", False),
    ("criminal-damage", "Damage to property", "property", False),
    ("drugs-possession", "Drug possession", "drugs", False),
    ("drugs-trafficking", "Drug trafficking", "drugs", False),
    ("firearm-possession", "Unlicensed firearm or ammunition", "weapons", False),
)


def seed(apps, schema_editor):
    OffenceType = apps.get_model("geo_bco", "OffenceType")
    for code, label, category, sensitive in OFFENCES:
        OffenceType.objects.update_or_create(
            code=code, defaults={"label": label, "category": category, "sensitive": sensitive}
        )


class Migration(migrations.Migration):
    dependencies = [("geo_bco", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
