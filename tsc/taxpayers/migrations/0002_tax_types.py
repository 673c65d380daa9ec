from django.db import migrations

TAX_TYPES = [
    # code, name, form, sort, for individuals, offered to all businesses
    ("ST", "Sales and Use Tax", "OS-114", 10, False, False),
    ("WH", "Withholding", "CT-941", 20, False, False),
    ("WN", "Withholding Non-Wage", "CT-1096", 30, False, True),
    ("IT", "Individual Income Tax", "CT-1040ES", 40, True, False),
]


def create(apps, schema_editor):
    ensure(apps.get_model("taxpayers", "TaxType"))


def ensure(TaxType):  # noqa: N803 - a model class
    """Create or update the tax types; also used by the demo data (tests flush tables)."""
    for code, name, form, sort, individuals, everyone in TAX_TYPES:
        TaxType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "form": form,
                "sort_order": sort,
                "for_individuals": individuals,
                "offered_to_all_businesses": everyone,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("taxpayers", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
