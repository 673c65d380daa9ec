"""The help text (tsc/help/topics.py) into the Topic table; the index follows (0002)."""

from django.db import migrations


def load(apps, schema_editor):
    from tsc.help.services import topics_load

    topics_load(model=apps.get_model("help", "Topic"))


def unload(apps, schema_editor):
    from tsc.help.topics import TOPICS

    apps.get_model("help", "Topic").objects.filter(slug__in=[t.slug for t in TOPICS]).delete()


class Migration(migrations.Migration):
    dependencies = [("help", "0002_fulltext")]

    operations = [migrations.RunPython(load, unload)]
