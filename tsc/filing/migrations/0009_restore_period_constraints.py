"""Restore the two partial unique constraints on a return's period on PostgreSQL.

0008 altered `TaxReturn.period` to db_index=False. On PostgreSQL Django's AlterField then drops
every index on `period_id` that is not one of Meta.indexes, and the unique indexes of the
conditional constraints `one_original_return_per_period` and `one_draft_per_period` are such
indexes: the database lost them while the model still declares them. Without them two original
returns could be filed for one period (a bulk import's batch relies on the constraint to fail
when someone filed a period after it looked). Removing (DROP INDEX IF EXISTS on PostgreSQL) and
adding them again leaves the state unchanged and the database as the model says, on every engine.
"""

from django.db import migrations, models


def constraints():
    return [
        models.UniqueConstraint(
            fields=["period"],
            condition=models.Q(status="filed", amends__isnull=True),
            name="one_original_return_per_period",
        ),
        models.UniqueConstraint(fields=["period"], condition=models.Q(status="draft"), name="one_draft_per_period"),
    ]


class Migration(migrations.Migration):
    dependencies = [("filing", "0008_period_indexes")]

    operations = [
        *(migrations.RemoveConstraint(model_name="taxreturn", name=c.name) for c in constraints()),
        *(migrations.AddConstraint(model_name="taxreturn", constraint=c) for c in constraints()),
    ]
