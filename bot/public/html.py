"""HTML of the public pages: plain server-rendered pages, no JavaScript, readable on an old phone
at 320 px and at 200 % text size. Every value is escaped here (``esc``), whoever wrote it."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any
from urllib.parse import urlencode

SITE = "人民建议征集公示"
STYLE = """
*{box-sizing:border-box}
body{margin:0;font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;
font-size:1.125rem;line-height:1.7;color:#1a1a1a;background:#fff}
header,main,footer{max-width:48rem;margin:0 auto;padding:0 1rem}
header{border-bottom:3px solid #b4232a}
header p{margin:.5rem 0;font-size:1.375rem;font-weight:bold}
nav ul{list-style:none;margin:0;padding:0 0 .5rem;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
a{color:#0b4f9c}a:focus{outline:3px solid #b35c00}
h1{font-size:1.5rem}h2{font-size:1.25rem;margin-bottom:.25rem}
article{border-bottom:1px solid #ccc;padding:.5rem 0}
.meta{color:#444;font-size:1rem}
form{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end;margin:1rem 0}
label{display:flex;flex-direction:column;font-size:1rem}
select,button{font-size:1.125rem;padding:.25rem;min-height:2.75rem;max-width:100%}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:1rem}
th,td{border:1px solid #999;padding:.25rem .5rem;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}
ol.steps{padding-left:1.5rem}caption{text-align:left;font-weight:bold;padding:.25rem 0}
figure{margin:1rem 0}.chart{display:block;width:100%;max-width:30rem;height:auto}
footer{color:#444;font-size:1rem;padding-top:1rem;padding-bottom:2rem}
"""
NAV = (
    ("/gongshi/", "优秀建议展示"),
    ("/gongshi/jindianzi", "金点子"),
    ("/gongshi/zhengji", "专项征集"),
    ("/gongshi/banli", "办理情况"),
    ("/", "我要提建议"),
)


def esc(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def page(title: str, body: str) -> str:
    links = "".join(f'<li><a href="{href}">{esc(text)}</a></li>' for href, text in NAV)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)} - {SITE}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f'<header><p>{SITE}</p><nav aria-label="栏目"><ul>{links}</ul></nav></header>\n'
        f"<main>\n<h1>{esc(title)}</h1>\n{body}\n</main>\n"
        "<footer>公示内容由工作人员整理，不含建议人的姓名和联系方式。</footer>\n</body>\n</html>\n"
    )


def _departments(row: dict[str, Any]) -> str:
    return "、".join(row["departments"]) or "—"


def _marks(row: dict[str, Any]) -> str:
    marks = [
        text
        for on, text in (
            (row["adopted"], "已采纳"),
            (row["showcased"], "优秀建议"),
            (row["rewarded"], "获得褒奖"),
            (row["golden_year"], f"{row['golden_year']} 年度金点子"),
        )
        if on
    ]
    return "　".join(esc(m) for m in marks)


def card(row: dict[str, Any]) -> str:
    link = f"/gongshi/jianyi/{esc(row['ticket'])}"
    campaign = f"　专项征集：{esc(row['campaign'])}" if row["campaign"] else ""
    return (
        f'<article><h2><a href="{link}">{esc(row["title"])}</a></h2>'
        f'<p class="meta">{esc(row["ticket"])}　类别：{esc(row["category"] or "—")}{campaign}</p>'
        f"<p>{esc(row['summary'])}</p>"
        f'<p class="meta">承办单位：{esc(_departments(row))}　附议 {int(row["supporters"])} 人'
        f"　公开于 {esc(row['published_on'])}　{_marks(row)}</p></article>"
    )


def _select(name: str, label: str, choices: Sequence[tuple[str, str]], chosen: str) -> str:
    options = ['<option value="">全部</option>'] + [
        f'<option value="{esc(v)}"{" selected" if v == chosen else ""}>{esc(t)}</option>' for v, t in choices
    ]
    return (
        f'<label for="f-{name}">{esc(label)}'
        f'<select id="f-{name}" name="{name}">{"".join(options)}</select></label>'
    )


def front(
    data: dict[str, Any],
    filters: dict[str, str],
    categories: Sequence[str],
    campaigns: Sequence[dict[str, Any]],
    years: Sequence[int],
) -> str:
    form = (
        '<form method="get" action="/gongshi/" aria-label="筛选">'
        + _select("category", "类别", [(c, c) for c in categories], filters.get("category", ""))
        + _select(
            "campaign",
            "专项征集",
            [(str(c["id"]), c["topic"]) for c in campaigns],
            filters.get("campaign", ""),
        )
        + _select("year", "年份", [(str(y), f"{y} 年") for y in years], filters.get("year", ""))
        + '<button type="submit">筛选</button></form>'
    )
    cards = "".join(card(r) for r in data["items"]) or "<p>暂无符合条件的公开建议。</p>"
    summary = f"<p>共 {int(data['total'])} 条，第 {int(data['page'])} / {int(data['pages'])} 页。</p>"
    return page("优秀建议展示", form + summary + cards + _pager(data, filters))


def _pager(data: dict[str, Any], filters: dict[str, str]) -> str:
    links = []
    kept = {k: v for k, v in filters.items() if v}
    if data["page"] > 1:
        links.append(
            f'<a href="/gongshi/?{esc(urlencode(kept | {"page": data["page"] - 1}))}" rel="prev">上一页</a>'
        )
    if data["page"] < data["pages"]:
        links.append(
            f'<a href="/gongshi/?{esc(urlencode(kept | {"page": data["page"] + 1}))}" rel="next">下一页</a>'
        )
    return f'<nav aria-label="翻页"><p>{"　".join(links)}</p></nav>' if links else ""


def item(row: dict[str, Any]) -> str:
    steps = "".join(f"<li>{esc(s['date'])}　{esc(s['label'])}</li>" for s in row["steps"])
    campaign = f"<p>专项征集：{esc(row['campaign'])}</p>" if row["campaign"] else ""
    body = (
        f'<p class="meta">编号 {esc(row["ticket"])}　类别：{esc(row["category"] or "—")}　{_marks(row)}</p>'
        f"{campaign}<h2>内容与办理结果</h2><p>{esc(row['summary'])}</p>"
        f"<p>承办单位：{esc(_departments(row))}</p><p>附议人数：{int(row['supporters'])} 人</p>"
        f'<h2>办理进程</h2><ol class="steps">{steps}</ol>'
        '<p><a href="/gongshi/">返回优秀建议展示</a></p>'
    )
    return page(row["title"] or row["ticket"], body)


def golden(rows: Sequence[dict[str, Any]], year: int | None, years: Sequence[int]) -> str:
    links = "　".join(f'<a href="/gongshi/jindianzi?year={y}">{y} 年</a>' for y in years)
    parts = [
        f'<nav aria-label="年度"><p>{links}　<a href="/gongshi/jindianzi">全部</a></p></nav>' if years else ""
    ]
    for r in rows:
        parts.append(
            card(r).replace(
                "</article>",
                f"<p><strong>{esc(r['golden_year'])} 年度金点子</strong>："
                f"{esc(r['golden_note'])}</p></article>",
            )
        )
    if not rows:
        parts.append("<p>暂无金点子。</p>")
    return page(f"{year} 年度金点子" if year else "金点子", "".join(parts))


def campaigns(rows: Sequence[dict[str, Any]]) -> str:
    parts = []
    for c in rows:
        parts.append(
            f"<article><h2>{esc(c['topic'])}</h2><p>{esc(c['description'])}</p>"
            f'<p class="meta">征集时间：{esc(c["starts_on"])} 至 {esc(c["ends_on"])}</p>'
            f'<p><a href="{esc(c["chat_link"])}">在线提建议（网页）</a></p>'
            f'<p class="meta">微信扫码参与：二维码场景值 <code>{esc(c["wechat_scene"])}</code></p></article>'
        )
    return page("专项征集", "".join(parts) or "<p>目前没有正在进行的专项征集。</p>")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


COLUMNS = (
    ("received", "收件"),
    ("suggestions", "其中建议"),
    ("complaints", "其中投诉"),
    ("accepted_in_time_rate", "15日内受理告知"),
    ("on_time_rate", "按期办结"),
    ("adoption_rate", "建议采纳"),
    ("satisfied_rate", "群众满意"),
)


def table(caption: str, first: str, rows: Sequence[dict[str, Any]]) -> str:
    head = "".join(f'<th scope="col">{esc(t)}</th>' for _, t in COLUMNS)
    body = []
    for r in rows:
        cells = "".join(f"<td>{esc(_pct(r[k]) if k.endswith('_rate') else r[k])}</td>" for k, _ in COLUMNS)
        body.append(f'<tr><th scope="row">{esc(r["name"])}</th>{cells}</tr>')
    return (  # a wide table scrolls inside a region a keyboard can reach (320 px, 200 % text)
        f'<div class="scroll" role="region" aria-label="{esc(caption)}" tabindex="0">'
        f'<table><caption>{esc(caption)}</caption><thead><tr><th scope="col">{esc(first)}</th>'
        f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def banli(figures: dict[str, Any], chart_svg: str) -> str:
    body = (
        f"<p>统计期间：{esc(figures['since'])} 至 {esc(figures['until'])}（不含）。"
        "比率为已有结果的事项中的占比；“—”表示暂无可统计的事项。投诉只公布件数。</p>"
        f"<figure>{chart_svg}<figcaption>各月办理情况（比率）</figcaption></figure>"
        + table("按月份", "月份", [*figures["months"], figures["total"]])
        + table("按承办单位", "承办单位", figures["departments"])
        + '<p><a href="/gongshi/banli.csv" download>下载数据（CSV）</a></p>'
    )
    return page("办理情况", body)


def not_found() -> str:
    return page(
        "未找到",
        '<p>没有找到这条公开建议，它可能尚未公开。</p><p><a href="/gongshi/">返回优秀建议展示</a></p>',
    )
