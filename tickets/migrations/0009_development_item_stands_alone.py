"""The development item stands on its own: a product, kind, title and plan of its own, and many
linked tickets (Ticket.development_item) instead of one. Every existing item keeps its ticket as its
first link, takes the ticket's product and subject, and keeps its date and note as the plan date and
the public note."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery


def _check_constraints_now(schema_editor):
    # PostgreSQL defers foreign-key checks to the end of the transaction; a table with pending
    # checks cannot be altered, and the column changes around this step alter it.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def link_existing_items(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    Item = apps.get_model("tickets", "DevelopmentItem")
    of_ticket = Ticket.objects.filter(pk=OuterRef("ticket_id"))
    Item.objects.update(
        title=Subquery(of_ticket.values("subject")[:1]),
        product_id=Subquery(of_ticket.values("product_id")[:1]),
    )
    Item.objects.filter(ticket__kind="feature").update(kind="feature")
    Item.objects.filter(ticket_id__isnull=False).update(institutions_reporting=1)
    # The moment of planning and of release were not kept: the item's last change is the closest.
    Item.objects.filter(state__in=["planned", "in_progress", "released"]).update(planned_at=F("updated_at"))
    Item.objects.filter(state="released").update(released_at=F("updated_at"))
    Ticket.objects.filter(pk__in=Item.objects.values("ticket_id")).update(
        development_item_id=Subquery(Item.objects.filter(ticket_id=OuterRef("pk")).values("pk")[:1])
    )
    _check_constraints_now(schema_editor)


def unlink_items(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    Item = apps.get_model("tickets", "DevelopmentItem")
    first = Ticket.objects.filter(development_item_id=OuterRef("pk")).order_by("created_at", "pk")
    Item.objects.update(
        ticket_id=Subquery(first.values("pk")[:1]),
        institution_id=Subquery(first.values("institution_id")[:1]),
    )
    Item.objects.filter(ticket_id__isnull=True).delete()
    _check_constraints_now(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0008_ticket_autovacuum"),
    ]

    operations = [
        # The old one-to-one gives up Ticket.development_item before the new link takes the name.
        migrations.AlterField(
            model_name="developmentitem",
            name="ticket",
            field=models.OneToOneField(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="tickets.ticket"
            ),
        ),
        migrations.AlterField(
            model_name="developmentitem",
            name="institution",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organizations.institution",
            ),
        ),
        migrations.RenameField(model_name="developmentitem", old_name="expected_on", new_name="planned_on"),
        migrations.AlterField(
            model_name="developmentitem",
            name="planned_on",
            field=models.DateField(blank=True, null=True, verbose_name="planned date"),
        ),
        migrations.RenameField(model_name="developmentitem", old_name="note", new_name="public_note"),
        migrations.AlterField(
            model_name="developmentitem",
            name="public_note",
            field=models.TextField(blank=True, verbose_name="description for the customers"),
        ),
        migrations.AddField(
            model_name="developmentitem",
            name="declined_reason",
            field=models.TextField(blank=True, verbose_name="reason for declining"),
        ),
        migrations.AddField(
            model_name="developmentitem",
            name="kind",
            field=models.CharField(
                choices=[("defect", "Defect"), ("feature", "Feature")],
                default="defect",
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.AddField(
            model_name="developmentitem",
            name="institutions_reporting",
            field=models.PositiveIntegerField(default=0, verbose_name="institutions reporting"),
        ),
        migrations.AddField(
            model_name="developmentitem",
            name="merged_into",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="merged_items",
                to="tickets.developmentitem",
                verbose_name="merged into",
            ),
        ),
        migrations.AddField(
            model_name="developmentitem",
            name="planned_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="planned at"),
        ),
        migrations.AddField(
            model_name="developmentitem",
            name="planned_version",
            field=models.CharField(blank=True, max_length=40, verbose_name="planned version"),
        ),
        migrations.AddField(
            model_name="developmentitem",
            name="product",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="development_items",
                to="tickets.product",
                verbose_name="product",
            ),
        ),
        migrations.AddField(
            model_name="developmentitem",
            name="released_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="released at"),
        ),
        migrations.AddField(
            model_name="developmentitem",
            name="released_version",
            field=models.CharField(blank=True, max_length=40, verbose_name="released version"),
        ),
        migrations.AddField(
            model_name="developmentitem",
            name="title",
            field=models.CharField(default="", max_length=200, verbose_name="title"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="ticket",
            name="development_item",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="tickets",
                to="tickets.developmentitem",
                verbose_name="development item",
            ),
        ),
        migrations.AlterField(
            model_name="developmentitem",
            name="state",
            field=models.CharField(
                choices=[
                    ("received", "Received"),
                    ("triaged", "Triaged"),
                    ("planned", "Planned"),
                    ("in_progress", "In progress"),
                    ("released", "Released"),
                    ("declined", "Declined"),
                ],
                default="received",
                max_length=20,
                verbose_name="state",
            ),
        ),
        migrations.RunPython(link_existing_items, unlink_items),
    ]
