"""Every sentence a citizen reads, in one place (Simplified Chinese, short and warm)."""

from __future__ import annotations

from collections.abc import Sequence

STATUS_LABELS: dict[str, str] = {
    "received": "已收到，待受理",
    "accepted": "已受理",
    "rejected": "不予受理",
    "consulting": "待您回复（工作人员有问题想请教您）",
    "reported": "已报送",
    "instructed": "领导已批示",
    "assigned": "已交办，正在办理",
    "adopted": "已采纳",
    "declined": "未予采纳",
    "implemented": "已落地实施",
    "answered": "已答复",
    "closed": "已办结",
}
KIND_NOUNS: dict[str, str] = {"suggestion": "建议", "complaint": "投诉"}

MENU = "您好，这里是市民意征集办公室。请回复数字：\n1 提建议\n2 投诉\n3 查进度\n0 帮助"
MENU_CHOICES = ("1 提建议", "2 投诉", "3 查进度", "0 帮助")
HELP = (
    "使用说明：\n"
    "· 回复 1 提建议，2 投诉，3 查看您提交过的事项。\n"
    "· 直接发送编号（如 JY-20261122-0001）可查询办理进度。\n"
    "· 填写中随时可以回复“返回”改上一项、“跳过”跳过选填项、“取消”放弃、“菜单”回到菜单。\n"
    "我们会把每一步办理情况都在这里告诉您。"
)
UNRECOGNISED = "抱歉，没太明白您的意思。"

EMPTY = "内容不能为空，请再说一下。"
BAD_PHONE = "这个号码好像不对。请输入11位手机号（如 13800138000），或带区号的固定电话（如 021-12345678）。"
BAD_YES_NO = "请回复“可以”或“不可以”。"
REAL_NAME_NEEDED = "投诉需要实名，请告诉我们您的真实姓名。我们会依法保护您的个人信息。"
BAD_NAME = "请输入您的姓名（不含数字）。"
NOT_OPTIONAL = "这一项需要填写，不能跳过哦。"
FIRST_STEP = "已经是第一项了。"
VOICE_UNCLEAR = "抱歉，这条语音没能识别出文字，请打字告诉我们，谢谢！"
UNSUPPORTED_KIND = "抱歉，暂时无法处理这类消息。请用文字告诉我们，也可以发送照片或位置。"
PHOTO_SAVED = "照片已收到，会和您的{noun}一起提交。"
PHOTO_IDLE = "照片已收到。如需反映问题，请先回复 1 提建议 或 2 投诉，填写时再发照片即可附上。"
LOCATION_IDLE = "位置已收到。如需反映问题，请先回复 1 提建议 或 2 投诉。"
LOCATION_NOT_NOW = "现在这一项不需要位置，请用文字回答。"
SUBMIT_FAILED = "抱歉，系统暂时出了点问题，您填写的内容都还在。请稍后回复“确认”再提交一次。"
STEP_FAILED = "抱歉，系统暂时出了点问题，请稍后再试。您已填写的内容不会丢失。"

CANCEL_ASK = "确定要取消吗？已填写的内容将不会保存。回复“是”确认取消，回复“否”继续填写。"
CANCEL_DONE = "已取消，填写的内容没有保存。"
CANCEL_NOTHING = "当前没有正在填写的内容。"
CANCEL_KEPT = "好的，我们继续。"
DRAFT_PAUSED = "您正在填写的{noun}已为您保存，回复 {number} 可以接着填。"
RESUME_OFFER = (
    "欢迎回来！您上次的{noun}还没填完（已填 {filled}/{total} 项）。\n回复“继续”接着填写，回复“重填”重新开始。"
)
RESUME_CHOICES = ("继续", "重填")
RESUME_BAD = "请回复“继续”接着填写，或回复“重填”重新开始。"
START_OVER = "好的，我们重新开始。"

FORM_INTRO = {
    "suggestion": "感谢您为城市发展出主意！接下来有几个问题，随时回复“取消”可放弃。",
    "complaint": "您好，我们来帮您登记投诉。接下来有几个问题，随时回复“取消”可放弃。",
}
SUMMARY_HEAD = "请核对您的{noun}："
SUMMARY_FOOT = "内容无误请回复“确认”提交；需要修改请回复“修改 序号”（如：修改 2）；回复“取消”放弃。"
SUMMARY_CHOICES = ("确认", "取消")
SKIPPED = "（未填）"
BAD_EDIT = "请回复“修改 序号”，序号是 1 到 {n} 之间的数字（如：修改 2）。"
AT_SUMMARY = "请回复“确认”提交，或“修改 序号”修改某一项。"

SUBMITTED = {
    "suggestion": (
        "您的建议已收到，编号 {ticket}，请留存。\n"
        "工作人员会认真研究，有进展会第一时间在这里告诉您。发送编号可随时查询进度。"
    ),
    "complaint": (
        "您的投诉已收到，编号 {ticket}，请留存。\n"
        "我们会在15日内告知您是否受理，办理情况也会在这里告诉您。发送编号可随时查询进度。"
    ),
}
NO_ITEMS = "您还没有提交过建议或投诉。回复 1 提建议，2 投诉。"
MY_ITEMS_HEAD = "您提交的事项："
MY_ITEMS_FOOT = "发送编号可查看详情。"
NOT_FOUND = "没有找到这个编号的事项，请核对后再发一次。"
ITEM_STATUS = "{noun} {ticket}\n标题：{title}\n提交时间：{date}\n当前状态：{status}"


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def bad_choice(n: int) -> str:
    return f"请回复列表中的序号（1–{n}）。"


def too_long(limit: int, got: int) -> str:
    return f"内容有点长（{got}字），这一项最多{limit}字，请精简一下再发。"


def numbered(options: Sequence[str]) -> str:
    return "\n".join(f"{i} {opt}" for i, opt in enumerate(options, 1))


# --- Telegram channel (issue 4) ---
TG_EDITED = "您修改了一条已发送的消息。修改不会改变已记录的内容；如需更正，请直接发送新的内容。"
TG_NOT_OWN_CONTACT = "为保护个人信息，只能用“分享我的手机号”按钮分享您本人的号码。也可以直接输入手机号。"
TG_SHARE_PHONE = "📱 分享我的手机号"
TG_SHARE_LOCATION = "📍 发送当前位置"
TG_PHONE_PLACEHOLDER = "也可以直接输入手机号"
