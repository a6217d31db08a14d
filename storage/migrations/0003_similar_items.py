from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields


async def _lost_indexes(apps: Any, schema_editor: Any) -> None:
    """Indexes the models declare that earlier migrations left out: on SQLite, 0002 rebuilt the
    citizen table and dropped its unique (channel, external_id) (two first contacts at once could
    make two rows); on both, the verified phone's index (the same person is found by it), and the
    two links of an item (its merged and repeating items are found by them)."""
    await schema_editor.client.execute_script(
        'CREATE UNIQUE INDEX IF NOT EXISTS "uid_citizen_channel_f71249" ON "citizen" ("channel", "external_id");'
        'CREATE INDEX IF NOT EXISTS "idx_citizen_verifie_phone" ON "citizen" ("verified_phone");'
        'CREATE INDEX IF NOT EXISTS "idx_item_merged_into" ON "item" ("merged_into_id");'
        'CREATE INDEX IF NOT EXISTS "idx_item_repeat_of" ON "item" ("repeat_of_id");'
    )

class Migration(migrations.Migration):
    dependencies = [('models', '0002_identity_windows_audit')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Support',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('item', fields.ForeignKeyField('models.Item', source_field='item_id', db_constraint=True, to_field='id', related_name='supports', on_delete=OnDelete.CASCADE)),
                ('citizen', fields.ForeignKeyField('models.Citizen', source_field='citizen_id', db_constraint=True, to_field='id', related_name='supports', on_delete=OnDelete.CASCADE)),
                ('via', fields.CharField(default='cosign', max_length=24)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'support', 'app': 'models', 'unique_together': (('item', 'citizen'),), 'pk_attr': 'id', 'table_description': '附议: a citizen who joined an item (co-signed it, or whose own item was merged into it) and'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Item',
            name='merged_into',
            field=fields.ForeignKeyField('models.Item', source_field='merged_into_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='merged', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Item',
            name='public_summary',
            field=fields.TextField(default='', db_default='', unique=False),
        ),
        ops.AddField(
            model_name='Item',
            name='public_title',
            field=fields.CharField(default='', db_default='', max_length=100),
        ),
        ops.AddField(
            model_name='Item',
            name='published',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Item',
            name='published_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Item',
            name='repeat_of',
            field=fields.ForeignKeyField('models.Item', source_field='repeat_of_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='repeats', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Item',
            name='terms',
            field=fields.TextField(default='', db_default='', unique=False),
        ),
        ops.RunPython(_lost_indexes, ops.RunPython.noop),
    ]
