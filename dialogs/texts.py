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

MENU = (
    "您好，这里是市民意征集办公室。请回复数字：\n1 提建议\n2 投诉\n3 查进度\n0 帮助\n"
    "也可以直接说出您遇到的问题或想法，打字、语音都行。"
)
MENU_CHOICES = ("1 提建议", "2 投诉", "3 查进度", "0 帮助")
HELP = (
    "使用说明：\n"
    "· 直接说出您遇到的问题或想法（打字、语音都行），我们帮您整理好，您核对后再提交。\n"
    "· 也可以回复 1 提建议，2 投诉，3 查看您提交过的事项。\n"
    "· 直接发送编号（如 JY-20261122-0001）可查询办理进度。\n"
    "· 填写中随时可以回复“返回”改上一项、“取消”放弃、“菜单”回到菜单；整理得不对，回复如“1 改成 交通出行”。\n"
    "我们会把每一步办理情况都在这里告诉您。"
)
UNRECOGNISED = "抱歉，没太明白您的意思。"
SEE_ABOVE = "请先看一下上面的办理进展。如果您刚才是想回复工作人员，请再发一次，我们会转给他们。"
WEB_TOO_LONG = "您发送的内容太长了，没能收到。请分几次发送，每次一千字以内就好。"
WEB_TOO_FAST = "您发得有点快，刚才这条还没有收到。请稍等一会儿再发。"
WEB_STILL_WORKING = "您的上一条消息还在处理中，请稍等几秒再发一次。"
WEB_BUSY = "现在人有点多，刚才这条还没有收到。请稍后再试。"

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
STEP_FAILED = "抱歉，系统暂时出了点问题，这条消息没能处理。请过一会儿再发一次，之前填写的内容都还在。"
STEP_FAILED_GAVE_UP = "抱歉，这条消息我们试了几次都没能处理好。请过几分钟再发一次，之前填写的内容都还在。"

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
    "suggestion": "感谢您为城市发展出主意！只问几个问题，随时回复“取消”可放弃。",
    "complaint": "您好，我们来帮您登记投诉。只问几个问题，随时回复“取消”可放弃。",
}
# issue 12: what the citizen's own words already said, shown once, corrected in one reply
UNDERSTOOD_HEAD = "好的，我帮您整理了一下："
UNDERSTOOD_KIND = {
    "suggestion": "收到，我们按“建议”为您登记。我帮您整理了一下：",
    "complaint": "收到，我们按“投诉”为您登记。我帮您整理了一下：",
}
RECORDED_AS = {"suggestion": "收到，我们按“建议”为您登记。", "complaint": "收到，我们按“投诉”为您登记。"}
UNDERSTOOD_FIX = "哪一项不对，回复如“1 改成 交通出行”就行。"
UNDERSTOOD_SWITCH = {
    "suggestion": "如果您是要投诉，请回复“改成投诉”。",
    "complaint": "如果您是想提建议，请回复“改成建议”。",
}
ONE_MATTER = "您说了不止一件事，这次先登记第一件，提交后可以再反映另一件。"
SWITCHED = {"suggestion": "好的，改为按“建议”登记。", "complaint": "好的，改为按“投诉”登记。"}
CORRECTED = "好的，{label}已改为：{value}"
KNOWN_OFFER = "上次您留的是：{name} {phone}，回复“用上次的”就行。"
NAME_STILL_NEEDED = "手机号已记下。"
CONTACT_NOTED = "您的联系方式已记下。"
WHICH_EDIT = "要修改哪一项？请回复“修改 序号”（如：修改 2）。"
KIND_ASK = "收到您反映的情况。请问您是想提建议，还是要投诉？请回复：\n1 提建议\n2 投诉"
KIND_CHOICES = ("1 提建议", "2 投诉")
TOO_LONG_START = "您说的内容有点长（{got}字），请精简到一千字以内再发，或者分几次发。"
SUMMARY_HEAD = "请核对您的{noun}："
SUMMARY_FOOT = "内容无误请回复“确认”提交；需要修改请回复“修改 序号”（如：修改 2）；回复“取消”放弃。"
SUMMARY_CHOICES = ("确认", "修改", "取消")
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


# --- WeChat Official Account channel (issue 3): the custom menu's button labels ---
WECHAT_MENU_SUGGEST = "提建议"
WECHAT_MENU_COMPLAIN = "投诉"
WECHAT_MENU_MORE = "我的"
WECHAT_MENU_STATUS = "查进度"
WECHAT_MENU_HELP = "使用帮助"


# notifier (issue 6): notices that waited, delivered together
NOTICES_HEAD = "您有 {n} 条办理进展："


# --- after filing (issue 5, citizen side): threads, satisfaction, review ---
PICK_ITEM = "您有 {n} 件事项在等您回复，这条消息是关于哪一件的？请回复序号："
PICK_RATING = "您有 {n} 件事项在等您评价，这个评价是给哪一件的？请回复序号："
PICK_CANCELLED = "好的，这条消息没有发送。"
RATING_NOTHING = "谢谢您！目前没有需要您评价的事项。"
STALE_ANSWER = "这个回答对应的是前一个问题，已经不需要了。请看上面最新的问题，再回复一次就好。"
THREAD_SAVED = "您的回复已转给工作人员（{ticket}），他们会尽快跟进，有进展会在这里告诉您。"
THREAD_PHOTO_SAVED = "照片已收到，已附在 {ticket} 的沟通记录里。"
RATED = {
    1: "感谢您的肯定！{ticket} 已办结。",
    2: "感谢您的评价！{ticket} 已办结。",
    3: "抱歉没能让您满意，您的评价已如实记录，我们会转告承办单位改进。",
}
SENT_BACK = (
    "我们已将 {ticket} 退回承办单位重新办理（第 {redo} 次），新的办理期限是 {date}，结果会在这里告诉您。"
)
ASK_COMMENT = "还有什么想对我们说的吗？直接回复即可；没有请回复“跳过”。"
COMMENT_SAVED = "您的意见已记录，谢谢！"
COMMENT_SKIPPED = "好的，感谢您的支持！回复“菜单”可以继续使用其他功能。"
RATING_GONE = "这件事项已经评价过了，谢谢您！"
REVIEW_HOW = "申请复查请回复“复查 编号”，例如：复查 TS-20261122-0001。"
REVIEW_ACCEPTED = "已收到您对 {ticket} 的{level}申请，我们会在30日内作出{level}意见，并在这里告诉您。"
REVIEW_REFUSED = {
    "not_found": "没有找到可以申请复查的事项。请回复“复查 编号”，编号是您投诉事项的编号。",
    "choose": "您有多件投诉可以申请复查，请回复“复查 编号”说明是哪一件。",
    "not_complaint": "复查适用于投诉事项；对建议的办理有意见，可以直接回复告诉我们。",
    "not_answered": "{ticket} 还在办理中，答复后如有不满意，可在30日内申请复查。",
    "too_late": "{ticket} 答复已超过30日，按照规定不能再申请复查。如有新情况，可以重新投诉。",
    "final": "{ticket} 已经过复核，按照《信访工作条例》规定，对同一事项不再受理复查复核申请。",
    "pending": "{ticket} 的复查正在办理中，请耐心等待，结果会在这里告诉您。",
}
REVIEW_LEVELS = {1: "复查", 2: "复核"}
CAMPAIGN_ASK = "目前正在开展专项征集。您的建议属于下面哪个专题？请回复序号；都不属于请回复“跳过”。"
# issue 14: the chat opened from a campaign's link or poster QR code
CAMPAIGN_WELCOME = "欢迎参加专项征集“{topic}”！"
CAMPAIGN_DRAFT_JOINED = "您正在填写的建议已归入专项征集“{topic}”，我们接着填。"
CAMPAIGN_CLOSED = "这个专项征集已经结束了，谢谢您的关心！您的想法仍然可以作为建议告诉我们。"


# --- Telegram channel (issue 4) ---
TG_EDITED = "您修改了一条已发送的消息。修改不会改变已记录的内容；如需更正，请直接发送新的内容。"
TG_NOT_OWN_CONTACT = "为保护个人信息，只能用“分享我的手机号”按钮分享您本人的号码。也可以直接输入手机号。"
TG_SHARE_PHONE = "📱 分享我的手机号"
TG_SHARE_LOCATION = "📍 发送当前位置"
TG_PHONE_PLACEHOLDER = "也可以直接输入手机号"

# --- similar items: 附议 a published suggestion, 重复件 of one's own complaint (issue 13) ---
SIMILAR_HEAD = "这些建议和您的想法相近："
SIMILAR_FOOT = "回复序号即可附议（您会收到它的办理进展），回复“继续”提交您自己的建议。"
SIMILAR_AGAIN = "请回复序号附议，或回复“继续”提交您自己的建议。"
REPEAT_OFFER = (
    "您在{date}反映的 {ticket}（{title}）正在办理中{due}。如果是同一件事，回复“补充”，"
    "我们把您这次说的加到那件投诉里一并处理；不是同一件事，回复“继续”作为新的投诉提交。"
)
REPEAT_AGAIN = "请回复“补充”加到原来的投诉里，或回复“继续”作为新的投诉提交。"
REPEAT_ADDED = "好的，已把您这次说的补充到 {ticket}，工作人员会一并处理，办理进展会在这里告诉您。"
CONTINUE = "继续"
SUPPLEMENT = "补充"
COSIGNED = (
    "已为您附议“{title}”（{ticket}），它的办理进展会发到这里。您这次说的就不再单独提交了；"
    "想撤回附议，回复“取消附议 {ticket}”。"
)
COSIGN_ALREADY = "您已经附议过“{title}”（{ticket}）了，它的办理进展会发到这里。"
COSIGN_OWN = "{ticket} 是您自己提交的建议，不用附议，办理进展会发到这里。"
COSIGN_GONE_IN_FORM = "抱歉，这条建议现在不能附议了。我们接着登记您自己的建议。"
COSIGN_GONE = "没有找到可以附议的建议 {ticket}，请核对编号后再发一次。"
UNCOSIGNED = "已取消对 {ticket} 的附议，之后不再给您发它的进展。"
UNCOSIGN_NONE = "您没有附议过 {ticket}，不用取消。"
