"""Tortoise models: citizens, items and their audit events and threads, departments,
campaigns, the notice outbox, ticket counters and stored conversation states."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class Citizen(Model):
    """One person on one channel. The name and phone they type belong to each item they file. A
    phone is kept here only when the platform vouched it is theirs (a Telegram shared contact)."""

    id = fields.IntField(primary_key=True)
    channel = fields.CharField(max_length=16)
    external_id = fields.CharField(max_length=128)
    verified_phone = fields.CharField(max_length=20, null=True, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_inbound_at = fields.DatetimeField(null=True)
    reachable = fields.BooleanField(default=True)
    unsubscribed_at = fields.DatetimeField(null=True)
    # the WeChat customer-service window without Redis (bot/channels/wechat/window.py owns it)
    window_opened_at = fields.DatetimeField(null=True)
    window_sent = fields.IntField(default=0)

    class Meta:
        table = "citizen"
        unique_together = (("channel", "external_id"),)


class Department(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "department"


class Campaign(Model):
    """专项征集: a topic open for suggestions between two dates."""

    id = fields.IntField(primary_key=True)
    topic = fields.CharField(max_length=100)
    description = fields.TextField(default="")
    starts_on = fields.DateField()
    ends_on = fields.DateField()
    closed = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "campaign"


class Item(Model):
    """A suggestion (人民建议) or a complaint (投诉请求) and where it stands."""

    id = fields.IntField(primary_key=True)
    ticket = fields.CharField(max_length=20, unique=True)
    kind = fields.CharField(max_length=12)
    status = fields.CharField(max_length=16)
    version = fields.IntField(default=1)
    category = fields.CharField(max_length=32, default="")
    title = fields.CharField(max_length=100, default="")
    fields_data: Any = fields.JSONField(default=dict)
    channel = fields.CharField(max_length=16)
    submission_key = fields.CharField(max_length=200, unique=True, null=True)
    citizen: fields.ForeignKeyRelation[Citizen] = fields.ForeignKeyField(
        "models.Citizen", related_name="items", on_delete=fields.RESTRICT
    )
    campaign: fields.ForeignKeyNullableRelation[Campaign] = fields.ForeignKeyField(
        "models.Campaign", related_name="items", null=True, on_delete=fields.SET_NULL
    )
    lead_department: fields.ForeignKeyNullableRelation[Department] = fields.ForeignKeyField(
        "models.Department", related_name="led_items", null=True, on_delete=fields.SET_NULL
    )
    departments: fields.ManyToManyRelation[Department] = fields.ManyToManyField(
        "models.Department", related_name="items", through="item_department"
    )
    previous_status = fields.CharField(max_length=16, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    accept_due_at = fields.DatetimeField(null=True)
    accepted_at = fields.DatetimeField(null=True)
    due_at = fields.DatetimeField(null=True)
    extended_days = fields.IntField(default=0)
    answered_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)
    redo_count = fields.IntField(default=0)
    review_level = fields.IntField(default=0)
    satisfaction = fields.IntField(null=True)
    reported = fields.BooleanField(default=False)
    anonymous = fields.BooleanField(default=False, db_default=False)  # the author asked not to be named
    adopted_at = fields.DatetimeField(null=True)
    showcased = fields.BooleanField(default=False)
    rewarded = fields.BooleanField(default=False)
    # similar items (issue 13): the words as the index reads them, the public wording staff wrote,
    # the item this one was merged into, and the earlier complaint of the same person it repeats
    terms = fields.TextField(default="", db_default="")
    published = fields.BooleanField(default=False, db_default=False)
    public_title = fields.CharField(max_length=100, default="", db_default="")
    public_summary = fields.TextField(default="", db_default="")
    published_at = fields.DatetimeField(null=True)
    merged_into: fields.ForeignKeyNullableRelation[Item] = fields.ForeignKeyField(
        "models.Item", related_name="merged", null=True, on_delete=fields.SET_NULL, db_index=True
    )
    repeat_of: fields.ForeignKeyNullableRelation[Item] = fields.ForeignKeyField(
        "models.Item", related_name="repeats", null=True, on_delete=fields.SET_NULL, db_index=True
    )
    merged_into_id: int | None  # the columns of the two links (tortoise sets them; typed for mypy)
    repeat_of_id: int | None
    # the public side (issue 14): 金点子 of a year, and the API key an item came in through
    golden_year = fields.IntField(null=True)
    golden_note = fields.TextField(default="", db_default="")
    api_key: fields.ForeignKeyNullableRelation[ApiKey] = fields.ForeignKeyField(
        "models.ApiKey", related_name="items", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "item"
        indexes = (
            Index(fields=("kind", "status")),
            Index(fields=("status", "due_at")),
            Index(fields=("channel",)),
            Index(fields=("category",)),
            Index(fields=("created_at",)),
        )


class ApiKey(Model):
    """The key of a partner system for Open311 (the 12345 platform, a district app): its name is
    the channel its items come in on, only the SHA-256 of the key is kept, every use is counted."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=16, unique=True)
    can = fields.CharField(max_length=16)  # "submit" | "read-own"
    secret_hash = fields.CharField(max_length=64, unique=True)
    uses = fields.IntField(default=0)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "api_key"


class Support(Model):
    """附议: a citizen who joined an item (co-signed it, or whose own item was merged into it) and
    receives its progress notices. Never shown to the author of the item or to other supporters."""

    id = fields.IntField(primary_key=True)
    item: fields.ForeignKeyRelation[Item] = fields.ForeignKeyField(
        "models.Item", related_name="supports", on_delete=fields.CASCADE
    )
    citizen: fields.ForeignKeyRelation[Citizen] = fields.ForeignKeyField(
        "models.Citizen", related_name="supports", on_delete=fields.CASCADE
    )
    via = fields.CharField(max_length=24, default="cosign")  # "cosign" | "merge:<id of the merged item>"
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "support"
        unique_together = (("item", "citizen"),)


class ItemEvent(Model):
    """One audit record: who did what to an item, when, from which state to which."""

    id = fields.IntField(primary_key=True)
    item: fields.ForeignKeyRelation[Item] = fields.ForeignKeyField(
        "models.Item", related_name="events", on_delete=fields.CASCADE
    )
    action = fields.CharField(max_length=24)
    actor = fields.CharField(max_length=64)
    from_status = fields.CharField(max_length=16, null=True)
    to_status = fields.CharField(max_length=16)
    note = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "item_event"
        indexes = (Index(fields=("item_id", "created_at")),)


class Message(Model):
    """One message of the thread of an item: answers of the citizen and replies of the staff."""

    id = fields.IntField(primary_key=True)
    item: fields.ForeignKeyRelation[Item] = fields.ForeignKeyField(
        "models.Item", related_name="messages", on_delete=fields.CASCADE
    )
    direction = fields.CharField(max_length=8)  # "citizen" | "staff"
    author = fields.CharField(max_length=64, default="")
    text = fields.TextField()
    attachments: Any = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "message"
        indexes = (Index(fields=("item_id", "created_at")),)


class Outbox(Model):
    """A notice for a citizen, written in the same transaction as the change it reports."""

    id = fields.IntField(primary_key=True)
    item: fields.ForeignKeyNullableRelation[Item] = fields.ForeignKeyField(
        "models.Item", related_name="notices", null=True, on_delete=fields.CASCADE
    )
    citizen: fields.ForeignKeyRelation[Citizen] = fields.ForeignKeyField(
        "models.Citizen", related_name="notices", on_delete=fields.CASCADE
    )
    channel = fields.CharField(max_length=16)
    kind = fields.CharField(max_length=24)
    text = fields.TextField()
    priority = fields.IntField(default=5)
    status = fields.CharField(max_length=10, default="pending")
    dedupe_key = fields.CharField(max_length=200, unique=True)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(null=True)
    lease_until = fields.DatetimeField(null=True)
    last_error = fields.TextField(default="")
    sent_via = fields.CharField(max_length=16, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)
    # notifier (issue 6): which relay holds the lease, and leases that expired while sending
    claim_token = fields.CharField(max_length=32, default="")
    unknown_outcomes = fields.IntField(default=0)

    class Meta:
        table = "outbox"
        indexes = (
            Index(fields=("status", "next_attempt_at")),
            Index(fields=("citizen_id", "status")),
        )


class StaffEvent(Model):
    """An audit record of a staff act that is not a change to one item: a phone revealed, a
    department or a campaign added, an item linked to a chat user."""

    id = fields.IntField(primary_key=True)
    actor = fields.CharField(max_length=64)
    action = fields.CharField(max_length=24)
    subject = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "staff_event"
        indexes = (Index(fields=("created_at",)),)


class TicketCounter(Model):
    """The last number issued for one prefix and day (e.g. ``JY-20261122``)."""

    key = fields.CharField(max_length=16, primary_key=True)
    value = fields.IntField(default=0)

    class Meta:
        table = "ticket_counter"


class ConversationState(Model):
    """The conversation state of a citizen when neither memory nor Redis holds it (the default)."""

    key = fields.CharField(max_length=160, primary_key=True)
    data = fields.TextField()
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "conversation_state"


class DeadLetter(Model):
    """A platform payload that could not be parsed, kept aside for a person to look at."""

    id = fields.IntField(primary_key=True)
    channel = fields.CharField(max_length=16)
    reason = fields.TextField(default="")
    payload = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "dead_letter"
        indexes = (Index(fields=("channel", "created_at")),)
