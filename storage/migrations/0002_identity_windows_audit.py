from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index


async def _backfill(apps: Any, schema_editor: Any) -> None:
    """Anonymity and adoption become properties of the item (they were read from its fields and
    its events); a phone typed into a form no longer counts as the citizen's verified phone."""
    client = schema_editor.client
    name = "json_extract(fields_data, '$.name')" if client.capabilities.dialect == "sqlite" else "fields_data->>'name'"
    await client.execute_script(
        f"UPDATE item SET anonymous = TRUE WHERE kind = 'suggestion' AND {name} = '匿名';"
        "UPDATE item SET adopted_at = (SELECT MIN(e.created_at) FROM item_event e "
        "WHERE e.item_id = item.id AND e.action = 'adopt');"
    )


def _sqlite_foreign_keys(on: bool) -> Any:
    """SQLite rebuilds a table to drop a column; the rows of other tables that point at it must
    not be checked meanwhile (PRAGMA works only outside a transaction: this migration is not atomic)."""

    async def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.client.capabilities.dialect == "sqlite":
            await schema_editor.client.execute_script(f"PRAGMA foreign_keys = {'ON' if on else 'OFF'};")

    return run


class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False
    atomic = False  # SQLite: foreign keys off around the table rebuilds (see above)

    operations = [
        ops.CreateModel(
            name='StaffEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('actor', fields.CharField(max_length=64)),
                ('action', fields.CharField(max_length=24)),
                ('subject', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'staff_event', 'app': 'models', 'indexes': [Index(fields=['created_at'])], 'pk_attr': 'id', 'table_description': 'An audit record of a staff act that is not a change to one item: a phone revealed, a'},
            bases=['Model'],
        ),
        ops.AlterModelOptions(
            name='Citizen',
            options={'table': 'citizen', 'app': 'models', 'unique_together': (('channel', 'external_id'),), 'pk_attr': 'id', 'table_description': 'One person on one channel. The name and phone they type belong to each item they file. A'},
        ),
        ops.RunPython(_sqlite_foreign_keys(False), _sqlite_foreign_keys(True)),
        ops.RemoveField(model_name='Citizen', name='phone'),
        ops.RemoveField(model_name='Citizen', name='name'),
        ops.AddField(
            model_name='Citizen',
            name='verified_phone',
            field=fields.CharField(null=True, db_index=True, max_length=20),
        ),
        ops.AddField(
            model_name='Citizen',
            name='window_opened_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Item',
            name='adopted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Item',
            name='anonymous',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.RunPython(_sqlite_foreign_keys(True), _sqlite_foreign_keys(False)),
        ops.RunPython(_backfill, ops.RunPython.noop),
    ]
