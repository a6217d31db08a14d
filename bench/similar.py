"""Similar items (issue 13): lookup latency and memory of ``storage.similar.Index`` over 100,000
generated items, against peers measured in the same run on the same data. Not a test; run by
``make bench``.

- ours: ``Index.search`` (postings + exact ``likeness``), threshold ``THRESHOLD``;
- (a) brute force: ``rapidfuzz.process.extract`` with ``fuzz.token_set_ratio`` over all items'
  space-joined segmented texts (the obvious library way), on ``--peer-lookups`` of the queries;
- (b) ``datasketch.MinHashLSH`` (num_perm 128) over the same segmented words, if installed.
Quality of each on tests/data/similar_pairs.jsonl: the peer's best threshold on dev, then test.

Then (alone with ``--stack``) the lookup as the running service does it, through the database:
``storage.similar.offers.for_citizen`` over the same texts filed as accepted suggestions (one in
ten published) in a new SQLite file under /tmp, or in the ``--pg`` database (dropped and created
again): the first ``Catalogue.refresh()``, lookups on a warm catalogue, and lookups each after
another connection inserted one item (the catch-up), against WeChat's 5-second window.

    python bench/similar.py [--items 100000] [--lookups 1000] [--peer-lookups 100]
                            [--stack] [--stack-lookups 500] [--pg postgres://…/fix_b]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import importlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]  # no shadowing by bench/*.py
sys.path.insert(0, os.path.dirname(_HERE))

import rjieba
from rapidfuzz import fuzz, process
from tortoise import Tortoise
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.connection import connections
from tortoise.transactions import in_transaction

from dialogs.reading import normalise
from dialogs.reading.likeness import THRESHOLD, features, likeness
from dialogs.reading.place import LISTED
from dialogs.types import UserRef
from storage.db import migrate, tortoise_config
from storage.models import Citizen, Item
from storage.similar import Index
from storage.similar.catalogue import Catalogue, terms_of
from storage.similar.offers import for_citizen as offers_for
from storage.workflow.vocabulary import SUGGESTION

PAIRS = Path(__file__).resolve().parents[1] / "tests" / "data" / "similar_pairs.jsonl"
SEED = 13
BATCH = 2000  # rows per bulk insert
WECHAT_S = 5.0  # WeChat drops a passive reply that takes longer
# matters: a few ways citizens put each one; {p} is the place
MATTERS = [
    ["{p}公交站没有遮雨棚，下雨天等车很不方便", "建议{p}公交车站加装雨棚", "{p}那个车站没棚子下雨都淋湿了"],
    ["{p}门口共享单车乱停，人行道都堵死了", "{p}单车停得乱七八糟路都走不了", "{p}共享单车乱停乱放没人管"],
    ["{p}楼下烧烤店油烟很大，窗户都不敢开", "{p}烧烤摊每天晚上烟大得很", "{p}的烧烤店油烟扰民"],
    ["{p}广场舞音响太响，每晚吵到九点多", "{p}跳广场舞的噪音太大了", "{p}广场舞放音乐震天响吵死了"],
    ["{p}路灯坏了一个多月了，晚上黑漆漆的", "{p}路灯不亮好久了也没人修", "{p}门口路灯损坏无人维修"],
    ["{p}井盖不见了，很危险", "{p}窨井盖缺失晚上容易掉进去", "{p}有个井盖丢了"],
    ["{p}垃圾好几天没人清理，臭死了", "{p}垃圾堆了几天没人收味道很大", "{p}垃圾没人清运气味难闻"],
    ["{p}工地晚上施工到半夜睡不着", "{p}工地夜间施工噪音太大", "{p}那个工地凌晨还在打桩"],
    ["{p}电梯坏了一个星期物业不修", "{p}电梯经常出故障物业拖着不修", "{p}电梯又坏了老人只能爬楼"],
    ["{p}有人遛狗不牵绳吓到孩子", "{p}遛狗不拴绳大狗到处跑", "{p}很多人遛狗不牵狗绳"],
    ["建议{p}增设电动车充电桩，现在都飞线充电", "{p}电瓶车充电桩太少大家拉电线充电", "{p}希望多装几个充电桩"],
    ["{p}停车位太少，晚上回来没地方停", "{p}停车难，车位被外来车占了", "{p}希望多建一些停车位"],
    ["建议{p}增加公共厕所", "{p}附近公厕太少找厕所很难", "{p}一带厕所不够用希望多建几个"],
    ["{p}饭店把桌子摆到人行道上占道经营", "{p}饭店占道经营行人没法走", "{p}有家店在人行道上摆摊设桌"],
    ["{p}红绿灯时间太短，老人过不完马路", "{p}行人绿灯就十几秒走不过去", "{p}人行横道绿灯太短"],
    ["{p}快递包裹堆在人行道上", "{p}快递驿站把快递堆在门口路上", "{p}快递站占用人行道"],
    ["{p}河道又黑又臭，夏天味道很大", "{p}旁边小河发黑发臭", "{p}河道黑臭气味难闻"],
    ["{p}楼道堆满杂物，消防通道堵了", "{p}楼道里堆了好多纸箱旧家具", "{p}楼道堆放杂物堵塞消防通道"],
    ["{p}有人群租，一套房住了十几个人", "{p}群租房进进出出十几个人", "{p}一套房子隔成很多间搞群租"],
    ["建议{p}修一条塑胶健身步道", "{p}能不能铺一条跑步用的步道", "{p}希望建健身步道"],
    ["{p}扬尘太大，车上全是灰", "{p}工地不洒水降尘灰很大", "{p}扬尘污染严重"],
    ["{p}KTV唱到凌晨两点，吵得睡不着", "{p}KTV噪音扰民每晚吵到半夜", "{p}楼下歌厅太吵"],
    ["建议{p}开一个社区食堂方便老人吃饭", "{p}老人吃饭不方便希望办长者食堂", "{p}建议设老年人社区食堂"],
    ["{p}儿童游乐设施太少，建议添置", "{p}小孩玩的地方几乎没有", "{p}希望增加儿童游乐设备"],
    ["{p}水压太低，楼上早上没水", "{p}高层水压不够没水用", "{p}自来水水压低"],
    ["{p}有人违章搭建阳光房", "{p}顶楼住户私自搭建违章建筑", "{p}违建没人管"],
    ["{p}装修每天早上七点就打电钻", "{p}邻居装修太早开工吵死了", "{p}装修噪音周末也不停"],
    ["{p}空调外机一直往下滴水", "{p}楼上空调外机滴水整夜响", "{p}空调滴水滴到我家窗台"],
    ["{p}学校门口接孩子的车乱停，放学堵死", "{p}放学时间家长车辆乱停交通堵", "{p}小学门口接送车辆乱停车"],
    ["{p}流浪猫太多晚上叫个不停", "{p}野猫泛滥猫叫吵得睡不着", "{p}流浪猫没人管到处都是"],
    ["{p}路面坑坑洼洼骑车摔跤", "{p}马路有个大坑很危险", "{p}路面塌陷坑洼不平"],
    ["{p}渣土车开得飞快还掉土", "{p}夜里渣土车超速撒落泥土", "{p}渣土车沿路撒土"],
    ["{p}早餐店烧煤炉冒黑烟", "{p}早点摊用煤炉烟很呛", "{p}煤炉黑烟呛人"],
    ["{p}霓虹灯整夜亮着照进卧室", "{p}招牌灯通宵亮睡不着", "{p}店招强光扰民"],
    ["{p}有人在绿化带里种菜", "{p}绿地被毁了种菜还浇粪", "{p}毁绿种菜没人管"],
    ["{p}公交班次太少等车要半小时", "{p}公交车班次少早高峰等不到车", "建议{p}公交增加班次"],
    ["{p}垃圾投放时间太短上班族赶不上", "{p}垃圾定时投放建议延长时间", "{p}扔垃圾只有早晚两个小时"],
    ["{p}没有无障碍坡道轮椅上不去", "{p}建议修无障碍通道", "{p}台阶没有坡道坐轮椅出不了门"],
    ["{p}楼道灯坏了晚上很黑", "{p}楼道没有灯老人容易摔", "建议{p}楼道装声控灯"],
    ["{p}商铺强买强卖游客被坑", "{p}店家强迫消费价格乱标", "{p}有商家宰客"],
]
OPENERS = [
    "",
    "",
    "你好，",
    "您好，",
    "那个就是",
    "我想反映一下，",
    "我要投诉，",
    "我有个建议，",
    "嗯",
    "领导好，",
]
CLOSERS = ["", "", "", "，希望尽快处理", "，谢谢", "，麻烦管一管", "，已经反映过好几次了", "。"]
ESTATE_HEADS = (
    "阳光 锦绣 金桥 金杨 康乐 幸福 和平 东方 明珠 春晓 翠湖 绿洲 紫薇 桂花 华府 新城 博园 龙华 天山 长宁"
)
ESTATE_TAILS = ["花园", "新村", "苑", "小区", "家园", "公寓", "一村", "二村", "三村", "名邸"]
SUFFIXES = ["", "", "门口", "附近", "东门", "3号楼", "12号楼", "旁边"]


def places(rng: random.Random) -> list[str]:
    """Listed Shanghai names (roads, towns, landmarks) and made-up estates, ~700 in all."""
    listed = sorted(name for name, spec in LISTED.items() if spec >= 2)
    estates = [head + tail for head in ESTATE_HEADS.split() for tail in ESTATE_TAILS]
    return rng.sample(listed, min(500, len(listed))) + estates


def text(rng: random.Random, matter: int, place: str, way: int) -> str:
    """One citizen's text on a matter at a place, in one of its phrasings."""
    body = MATTERS[matter][way].format(p=place + rng.choice(SUFFIXES))
    return rng.choice(OPENERS) + body + rng.choice(CLOSERS)


def corpus(items: int, lookups: int) -> tuple[list[str], list[str]]:
    """``items`` texts and ``lookups`` queries: half another phrasing of a stored item, half new."""
    rng = random.Random(SEED)
    spots = places(rng)
    stored = [(rng.randrange(len(MATTERS)), rng.choice(spots), rng.randrange(3)) for _ in range(items)]
    texts = [text(rng, *item) for item in stored]
    queries = []
    for i in range(lookups):
        if i % 2 == 0:
            matter, place, way = stored[rng.randrange(items)]
            queries.append(text(rng, matter, place, (way + 1) % 3))
        else:
            queries.append(text(rng, rng.randrange(len(MATTERS)), rng.choice(spots), rng.randrange(3)))
    return texts, queries


def words(raw: str) -> list[str]:
    """The text segmented by rjieba, as the peers see it."""
    return [word for word in rjieba.cut(normalise(raw)) if word.strip()]


def rss() -> int:
    """This process's resident set size in bytes."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def measured(build: Callable[[], object]) -> tuple[object, float, int, int]:
    """What ``build`` builds, the seconds it took, and the memory it holds (tracemalloc, RSS)."""
    gc.collect()
    before = rss()
    started = time.perf_counter()
    built = build()
    seconds = time.perf_counter() - started
    grown = rss() - before
    tracemalloc.start()
    again = build()
    traced = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del again
    return built, seconds, traced, grown


def latencies(lookup: Callable[[int], object], count: int) -> list[float]:
    """Milliseconds per lookup for the first ``count`` queries."""
    out = []
    for i in range(count):
        started = time.perf_counter()
        lookup(i)
        out.append((time.perf_counter() - started) * 1000)
    return out


def summary(name: str, ms: Sequence[float]) -> tuple[float, float, float]:
    """Prints and returns p50, p99 and max of some latencies."""
    ordered = sorted(ms)
    p50, p99 = statistics.median(ordered), ordered[min(len(ordered) - 1, round(len(ordered) * 0.99) - 1)]
    print(f"  {name:<34} n={len(ms):<5} p50 {p50:8.3f} ms  p99 {p99:8.3f} ms  max {ordered[-1]:8.3f} ms")
    return p50, p99, ordered[-1]


def quality(name: str, score: Callable[[dict[str, object]], float], grid: Sequence[float]) -> None:
    """A scorer's precision/recall on the labelled pairs: best threshold on dev (F1), then on test."""
    rows = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    scored = [(row["split"], bool(row["similar"]), score(row)) for row in rows]

    def rates(split: str, threshold: float) -> tuple[float, float, int, int, int]:
        chosen = [(similar, value) for part, similar, value in scored if part == split]
        tp = sum(similar and value >= threshold for similar, value in chosen)
        fp = sum(not similar and value >= threshold for similar, value in chosen)
        fn = sum(similar and value < threshold for similar, value in chosen)
        return tp / max(1, tp + fp), tp / max(1, tp + fn), tp, fp, fn

    def f1(threshold: float) -> float:
        precision, recall, *_ = rates("dev", threshold)
        return 2 * precision * recall / max(1e-9, precision + recall)

    best = max(grid, key=f1)
    for split in ("dev", "test"):
        precision, recall, tp, fp, fn = rates(split, best)
        print(
            f"  {name:<34} threshold {best:<6g} {split:<5} precision {precision:6.1%} recall {recall:6.1%}"
            f"  (tp {tp} fp {fp} fn {fn})"
        )


def minhash_peer(tokens: list[list[str]], queries: list[list[str]]) -> tuple[Callable[[int], object], int]:
    """A MinHashLSH over the items' words (threshold 0.5), the lookup, and its traced memory."""
    from datasketch import MinHash, MinHashLSH

    def build() -> tuple[MinHashLSH, list[MinHash]]:
        lsh = MinHashLSH(threshold=0.5, num_perm=128)
        hashes = MinHash.bulk([[word.encode() for word in item] for item in tokens], num_perm=128)
        with lsh.insertion_session() as session:
            for i, one in enumerate(hashes):
                session.insert(i, one)
        return lsh, hashes

    (lsh, _), seconds, traced, grown = measured(build)
    print(
        f"  minhash build {seconds:.1f} s; memory {traced / len(tokens):.0f} B/item traced, "
        f"{grown / len(tokens):.0f} B/item RSS"
    )
    asked = MinHash.bulk([[word.encode() for word in query] for query in queries], num_perm=128)
    return (lambda i: lsh.query(asked[i])), traced


def in_memory(args: argparse.Namespace) -> None:
    """The first part: ``Index`` against its peers, and the quality of each."""
    started = time.perf_counter()
    texts, queries = corpus(args.items, args.lookups)
    feats = [features(raw) for raw in texts]
    asked = [features(raw) for raw in queries]
    per_text = (time.perf_counter() - started) * 1000 / (len(texts) + len(queries))
    print(
        f"similar items: {len(texts):,} items, {len(queries):,} lookups ({len(MATTERS)} matters × "
        f"~{len(places(random.Random(SEED)))} places); features {per_text:.3f} ms per text"
    )

    def build() -> Index:
        index = Index()
        for item_id, one in enumerate(feats):
            index.add(item_id, one)
        return index

    built, seconds, traced, grown = measured(build)
    index = built if isinstance(built, Index) else Index()
    print(
        f"  ours build {seconds:.1f} s; memory {traced / len(feats):.0f} B/item traced, "
        f"{grown / len(feats):.0f} B/item RSS"
    )
    found = [len(index.search(one)) for one in asked]
    print(
        f"  ours: {sum(map(bool, found))}/{len(found)} lookups offer something, "
        f"{statistics.mean(found):.1f} items offered on average"
    )
    ours = summary("ours Index.search", latencies(lambda i: index.search(asked[i]), len(asked)))

    joined = [" ".join(words(raw)) for raw in texts]
    joined_queries = [" ".join(words(raw)) for raw in queries]
    brute = summary(
        "(a) rapidfuzz extract token_set_ratio",
        latencies(
            lambda i: process.extract(joined_queries[i], joined, scorer=fuzz.token_set_ratio, limit=10),
            min(args.peer_lookups, len(queries)),
        ),
    )
    print(
        f"  ours vs (a): p50 ours {ours[0]:.3f} vs (a) {brute[0]:.3f} ms ({ratio(ours[0], brute[0])}), "
        f"p99 ours {ours[1]:.3f} vs (a) {brute[1]:.3f} ms ({ratio(ours[1], brute[1])})"
    )
    strings = sum(sys.getsizeof(one) for one in joined) + sys.getsizeof(joined)
    print(
        f"  (a) holds the joined texts: {strings / len(joined):.0f} B/item "
        f"(ours {traced / len(feats):.0f} B/item)"
    )
    try:
        lookup, lsh_traced = minhash_peer([words(raw) for raw in texts], [words(raw) for raw in queries])
    except ImportError:
        print("  (b) datasketch is not installed: `pip install datasketch` (the bench extra)")
    else:
        lsh = summary("(b) datasketch MinHashLSH", latencies(lookup, len(queries)))
        print(
            f"  ours vs (b): p50 ours {ours[0]:.3f} vs (b) {lsh[0]:.3f} ms ({ratio(ours[0], lsh[0])}), "
            f"p99 ours {ours[1]:.3f} vs (b) {lsh[1]:.3f} ms ({ratio(ours[1], lsh[1])}); memory ours "
            f"{traced / len(feats):.0f} vs (b) {lsh_traced / len(feats):.0f} B/item "
            f"({lsh_traced / max(1, traced):.0f}× less for ours)"
        )

    print(f"quality on {PAIRS.name} (pairwise scores; ours tuned on dev only):")
    quality(
        "ours likeness", lambda r: likeness(features(str(r["a"])), features(str(r["b"]))).score, [THRESHOLD]
    )
    grid = [x / 100 for x in range(20, 100, 2)]
    quality(
        "(a) token_set_ratio",
        lambda r: fuzz.token_set_ratio(" ".join(words(str(r["a"]))), " ".join(words(str(r["b"])))) / 100,
        grid,
    )
    quality(
        "(b) MinHash Jaccard (exact sets)", lambda r: jaccard(words(str(r["a"])), words(str(r["b"]))), grid
    )


def fresh_database(pg: str | None) -> tuple[str, str | None]:
    """A new empty database: the given PostgreSQL one dropped and created again (psql), else a
    SQLite file in a new folder under /tmp; its URL and the folder to remove afterwards."""
    if pg is None:
        folder = tempfile.mkdtemp(prefix="minyi-similar-", dir="/tmp")
        return f"sqlite://{folder}/similar.db", folder
    parts = urlsplit(pg)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    for sql in (f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'):
        subprocess.run(["psql", admin, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True)
    return pg, None


def other_connection(url: str) -> BaseDBAsyncClient:
    """A second client of the database, not Tortoise's: what another process writing would be."""
    info = tortoise_config(url)["connections"]["default"]
    info = expand_db_url(info) if isinstance(info, str) else info
    client: type[BaseDBAsyncClient] = importlib.import_module(info["engine"]).client_class
    return client(connection_name="writer", **info["credentials"])


def filed(number: int, raw: str, terms: str, citizen_id: int, now: datetime) -> dict[str, object]:
    """The columns of an accepted suggestion filed on the web (one in ten published)."""
    published = number % 10 == 0
    return {
        "ticket": f"JY-20261201-{number:05d}",
        "kind": SUGGESTION,
        "status": "accepted",
        "channel": "web",
        "citizen_id": citizen_id,
        "fields_data": {"problem": raw, "title": raw[:20]},
        "terms": terms,
        "created_at": now,
        "updated_at": now,
        "published": published,
        "public_title": raw[:20] if published else "",
        "published_at": now if published else None,
    }


def stored_terms(raw: str) -> str:
    """The ``Item.terms`` the service writes for a suggestion told in ``raw``."""
    return terms_of(SUGGESTION, {"problem": raw, "title": raw[:20]})


async def stack(args: argparse.Namespace) -> None:
    """The second part: ``offers.for_citizen`` as the service calls it, through the database."""
    url, folder = fresh_database(args.pg)
    texts, queries = corpus(args.items, args.stack_lookups)
    rng = random.Random(SEED + 1)
    spots = places(rng)
    news = [text(rng, rng.randrange(len(MATTERS)), rng.choice(spots), rng.randrange(3)) for _ in queries]
    started = time.perf_counter()
    stored, added = [stored_terms(raw) for raw in texts], [stored_terms(raw) for raw in news]
    worded = time.perf_counter() - started
    citizens = (len(texts) + 99) // 100
    engine = "PostgreSQL" if args.pg else "SQLite"
    print(
        f"similar items through the database ({engine}, {url}): {len(texts):,} suggestions "
        f"({len(texts[::10]):,} published), {citizens:,} citizens; terms {worded:.1f} s"
    )
    writer: BaseDBAsyncClient | None = None
    try:
        await migrate(url)
        await Tortoise.init(config=tortoise_config(url))
        started = time.perf_counter()
        now = datetime.now(UTC)
        await Citizen.bulk_create(
            [Citizen(channel="web", external_id=f"bench-{n}") for n in range(citizens)], batch_size=BATCH
        )
        ids = [citizen.id for citizen in await Citizen.all().order_by("id").only("id")]
        for first in range(0, len(texts), BATCH):
            async with in_transaction():
                await Item.bulk_create(
                    [
                        Item(**filed(n + 1, texts[n], stored[n], ids[n // 100], now))
                        for n in range(first, min(first + BATCH, len(texts)))
                    ],
                    batch_size=BATCH,
                )
        if args.pg:  # what autovacuum does after a bulk load: without statistics `id > n` is a full scan
            await connections.get("default").execute_script("ANALYZE item")
        print(f"  insert {time.perf_counter() - started:.1f} s ({await Item.all().count():,} items)")

        catalogue = Catalogue()
        gc.collect()
        before = rss()
        started = time.perf_counter()
        loaded = await catalogue.refresh()
        seconds = time.perf_counter() - started
        gc.collect()
        grown = rss() - before
        print(
            f"  first Catalogue.refresh(): {loaded:,} rows in {seconds:.2f} s; RSS +{grown / 2**20:.0f} MB "
            f"({grown / max(1, loaded):.0f} B/item)"
        )

        users = [UserRef("web", f"bench-{i % citizens}") for i in range(len(queries))]
        offered: list[int] = []

        async def lookup(i: int) -> float:
            started = time.perf_counter()
            offers = await offers_for(users[i], SUGGESTION, queries[i], catalogue)
            ms = (time.perf_counter() - started) * 1000
            offered.append(len(offers))
            return ms

        warm = [await lookup(i) for i in range(len(queries))]
        print(
            f"  {sum(map(bool, offered))}/{len(offered)} lookups offer something, "
            f"{statistics.mean(offered):.2f} items offered on average (half the queries retell a stored item)"
        )
        writer = other_connection(url)
        await writer.create_connection(with_db=True)
        caught: list[float] = []
        for i, raw in enumerate(news):
            await Item.create(
                using_db=writer,
                **filed(len(texts) + i + 1, raw, added[i], ids[i % citizens], datetime.now(UTC)),
            )
            caught.append(await lookup(i))
        missed = len(texts) + len(news) - len(catalogue.kinds)
        print(f"  catch-up took in {len(news) - missed}/{len(news)} items another connection inserted")
        warm_p = summary("for_citizen, warm catalogue", warm)
        caught_p = summary("for_citizen, 1 insert before each", caught)
        for name, (_, p99, most) in (("warm", warm_p), ("catch-up", caught_p)):
            print(
                f"  {name:<9} p99 {p99:.1f} ms = {p99 / (WECHAT_S * 1000):.2%} of {WECHAT_S:g} s, "
                f"max {most:.1f} ms = {most / (WECHAT_S * 1000):.2%} (WeChat's window for a reply)"
            )
    finally:
        if writer is not None:
            await writer.close()
        await Tortoise.close_connections()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--peer-lookups", type=int, default=100)
    parser.add_argument("--stack", action="store_true", help="only the second part: through the database")
    parser.add_argument("--stack-lookups", type=int, default=500)
    parser.add_argument("--pg", metavar="URL", help="a PostgreSQL database to drop and create (else SQLite)")
    args = parser.parse_args()
    if not args.stack:
        in_memory(args)
    asyncio.run(stack(args))


def ratio(ours: float, peer: float) -> str:
    """Which side is faster, by how much."""
    return f"ours {peer / ours:.1f}× faster" if ours <= peer else f"ours {ours / peer:.1f}× slower"


def jaccard(a: list[str], b: list[str]) -> float:
    """The Jaccard similarity of two word sets (what MinHash estimates)."""
    left, right = set(a), set(b)
    return len(left & right) / max(1, len(left | right))


if __name__ == "__main__":
    main()
