"""The words a citizen types (or a button or a menu click types for them) that are commands, as
``validators.as_command`` normalises them. Digits are the menu's numbers, everywhere outside a
question that lists its own numbered choices."""

from __future__ import annotations

import re

START = {
    "1": "suggestion",
    "提建议": "suggestion",
    "建议": "suggestion",
    "2": "complaint",
    "投诉": "complaint",
    "我要投诉": "complaint",
}
MY_ITEMS = {"3", "查进度", "进度", "我的", "我的事项", "/STATUS"}
HELP = {"0", "帮助", "?", "HELP", "/HELP"}
MENU = {
    "菜单",
    "MENU",
    "/START",
    "/MENU",
    "主菜单",
    "你好",
    "您好",
    "HI",
    "HELLO",
    "在吗",
    "在不在",
    "有人吗",
}
# "怎么提建议？", "这个怎么用", "如何投诉": a question about the service itself is answered with 帮助
HOW_TO = re.compile(r"^.{0,4}(?:怎么|怎样|如何|咋)(?:样)?(?:提|用|使用|投诉|反映|查|操作).{0,6}$")
CANCEL = {"取消", "/CANCEL", "退出"}
YES = {"是", "1", "确认取消", "确定", "Y", "YES", "取消"}
NUMBER_OF = {"suggestion": "1", "complaint": "2"}
CLICKS = {"click:suggest": "1", "click:complain": "2", "click:status": "3", "click:help": "0"}
