"""The answers a test citizen types, after ``1`` (suggestion) or ``2`` (complaint), before ``确认``."""

from __future__ import annotations

SUGGESTION = [
    "2",
    "公交站没有遮雨棚",
    "下雨天等车全身湿透",
    "跳过",
    "建议加装遮雨棚",
    "跳过",
    "李四",
    "13912345678",
    "可以",
]
COMPLAINT = [
    "2",
    "楼下饭店油烟直排",
    "本周每天晚上，幸福路12号",
    "责令整改",
    "幸福饭店",
    "王五",
    "13700001111",
]

# the same, starting from the menu
SUGGESTION_FROM_MENU = ["1", *SUGGESTION]
COMPLAINT_FROM_MENU = ["2", *COMPLAINT]
