"""Departments (承办单位) and campaigns (专项征集): small reference lists staff keep."""

from __future__ import annotations

from datetime import date
from typing import Any

from tortoise.exceptions import IntegrityError

from storage.errors import InvalidInput, NotFound
from storage.models import Campaign, Department, Item


async def add_department(name: str) -> Department:
    name = name.strip()
    if not name:
        raise InvalidInput("单位名称不能为空。")
    try:
        return await Department.create(name=name)
    except IntegrityError as exc:
        raise InvalidInput(f"承办单位 {name} 已经存在。") from exc


async def departments() -> list[dict[str, Any]]:
    return [{"id": d.id, "name": d.name} for d in await Department.all().order_by("name")]


async def add_campaign(topic: str, starts: date, ends: date, description: str = "") -> Campaign:
    if not topic.strip():
        raise InvalidInput("专题名称不能为空。")
    if ends < starts:
        raise InvalidInput("结束日期不能早于开始日期。")
    return await Campaign.create(topic=topic.strip(), starts_on=starts, ends_on=ends, description=description)


async def campaigns(today: date) -> list[dict[str, Any]]:
    rows = await Campaign.all().order_by("-starts_on", "-id")
    return [
        {
            "id": c.id,
            "topic": c.topic,
            "starts_on": c.starts_on.isoformat(),
            "ends_on": c.ends_on.isoformat(),
            "open": not c.closed and c.starts_on <= today <= c.ends_on,
            "closed": c.closed,
            "items": await Item.filter(campaign_id=c.id).count(),
        }
        for c in rows
    ]


async def close_campaign(campaign_id: int) -> Campaign:
    campaign = await Campaign.filter(id=campaign_id).first()
    if campaign is None:
        raise NotFound(f"没有编号为 {campaign_id} 的专项征集。")
    campaign.closed = True
    await campaign.save(update_fields=["closed"])
    return campaign
