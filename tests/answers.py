"""The answers a terse test citizen types, after ``1`` (suggestion) or ``2`` (complaint), before
``确认``: one answer per question, only the questions the account left open."""

from __future__ import annotations

SUGGESTION = [
    "公交站没有遮雨棚，下雨天等车全身湿透",  # the account: 交通出行 and the title are proposed from it
    "建议加装遮雨棚",
    "李四",
    "13912345678",
    "可以",
]
COMPLAINT = [
    "楼下饭店油烟直排",  # the account: 市容环卫 is proposed from it
    "本周每天晚上，幸福路12号",
    "责令整改",
    "王五",
    "13700001111",
]

# the same, starting from the menu
SUGGESTION_FROM_MENU = ["1", *SUGGESTION]
COMPLAINT_FROM_MENU = ["2", *COMPLAINT]
