"""looks_like_matter: greetings, thanks, commands and questions about the service are no matters."""

from __future__ import annotations

import pytest

from dialogs.reading import looks_like_matter


@pytest.mark.parametrize(
    "text",
    [
        "喂，你好，请问有人吗",
        "好的，太感谢你们了！",
        "我想提个建议",
        "我要投诉",
        "查一下我的建议的进度",
        "你们周六上班吗？",
        "投诉以后多长时间会有答复啊",
        "请问在哪里可以提人民建议",
        "转人工",
        "测试",
        "😀😀😀",
    ],
)
def test_not_matters(text: str) -> None:
    assert not looks_like_matter(text)


@pytest.mark.parametrize(
    "text",
    [
        "楼下棋牌室通宵打麻将太吵",
        "小区电梯又坏了！",
        "建议地铁站多装几台自动售票机",
        "你好，我要投诉隔壁装修公司周末施工",
        "請問社區食堂能不能晚上也開",
    ],
)
def test_matters(text: str) -> None:
    assert looks_like_matter(text)
