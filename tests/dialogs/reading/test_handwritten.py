"""Hand-written messages (none from the labelled set): kind, best category and place together."""

from __future__ import annotations

import pytest

from dialogs.reading import looks_like_matter, read


@pytest.mark.parametrize(
    ("text", "kind", "category", "place"),
    [
        ("建议在松江大学城增开一条到莘庄的夜班公交", "suggestion", "交通出行", "松江大学城"),
        ("我们小区对面的KTV天天唱到凌晨两点，窗户关着都听得见", "complaint", "噪音扰民", None),
        ("天山路上的烤鸭店把油烟管直接伸到人行道上，走过去一身味", "complaint", "市容环卫", "天山路"),
        ("希望社区卫生服务中心能开个夜间门诊，孩子晚上发烧只能跑大医院", "suggestion", "医疗卫生", None),
        ("老板说效益不好，三个月只发了一半工资，社保也停缴了", "complaint", "劳动就业", None),
        ("在好又多超市买的鸡蛋，回家打开一半是坏的，超市不给换", "complaint", "消费维权", "好又多超市"),
        ("嘉定新城的河道里漂着很多垃圾，建议定期打捞", "suggestion", "生态环境", "嘉定新城"),
        ("建议给独居老人免费安装燃气报警器", "suggestion", "社会保障", None),
        ("我们这个老公房楼梯太陡了，老人上下楼很吃力，能不能加装电梯", "suggestion", "城市建设", None),
        ("物业把小区的儿童游乐设施拆了改成停车位，也没问过业主", "complaint", "物业小区", None),
        ("区政务中心的窗口中午十二点到一点不办业务，上班族根本来不及", "complaint", "公共服务", None),
        ("建议简化个体户注销的流程，现在要跑三个部门", "suggestion", "营商环境", None),
        ("希望居委会多组织一些亲子活动，周末孩子都没地方玩", "suggestion", "社区治理", None),
        ("淮海中路那段的共享单车堆得人都过不去", "complaint", "交通出行", "淮海中路"),
        ("建议在中小学推广午间一小时户外活动", "suggestion", "教育文化", None),
        ("隔壁装修每天早上七点就开始敲，周末也不休息", "complaint", "噪音扰民", None),
        (
            "那个 嗯 我们楼下的垃圾箱房 好几天没人清理了 臭得不行 希望有人来管管",
            "complaint",
            "市容环卫",
            None,
        ),
        ("自來水這兩天一直是黃的，打熱線說在排查，到現在還沒好", "complaint", "公共服务", None),
        ("健身房老板卷钱跑了，我还有两万块的私教课没上", "complaint", "消费维权", None),
        ("建议虹桥火车站的出租车候车区加个雨棚", "suggestion", "交通出行", "虹桥火车站"),
        ("能不能在世纪公园里多放几个饮水机，夏天跑步的人太多了", "suggestion", "生态环境", "世纪公园"),
        ("小区门口的水果店把纸箱堆在消防栓前面", "complaint", "市容环卫", None),
        ("普陀区图书馆周一闭馆，建议改成轮休", "suggestion", "教育文化", "普陀区图书馆"),
        ("我在一家餐馆做服务员，老板说试用期不给交社保", "complaint", "劳动就业", None),
        ("地铁11号线迪士尼站出站排队要半小时，建议多开几个闸机", "suggestion", "交通出行", "迪士尼站"),
        ("建议推广垃圾分类积分兑换，大家积极性会高一点", "suggestion", "生态环境", None),
        ("物业费年年涨，服务越来越差，保安经常不在岗", "complaint", "物业小区", None),
        ("网上买的空调装好第二天就不制冷了，商家一直拖着不给修", "complaint", "消费维权", None),
        ("希望医保能覆盖更多的进口抗癌药", "suggestion", "社会保障", None),
        ("半夜总有改装摩托车在中山北路上飙车，轰得整条街都醒了", "complaint", "噪音扰民", "中山北路"),
        ("我们街道的养老服务中心只开到下午四点，子女下班根本接不到老人", "suggestion", "社会保障", None),
        ("上周在医院挂了专家号，到了才说专家停诊，也没人提前通知", "complaint", "公共服务", None),
        ("建议在新建小区统一配建垃圾箱房和快递柜", "suggestion", "城市建设", None),
        ("打了三次电话给燃气公司，说好的上门检修一直没来", "complaint", "公共服务", None),
        (
            "嗯就是我想说那个菜市场的摊位费太贵了小摊贩都做不下去了能不能降一点",
            "suggestion",
            "营商环境",
            None,
        ),
        ("建议开通上海南站到浦东机场的直达大巴", "suggestion", "交通出行", "上海南站"),
        ("宝山区月浦镇的几家化工厂晚上偷偷排废气，味道很刺鼻", "complaint", "市容环卫", "月浦镇"),
        ("希望社区多开展一些防范老人跌倒的讲座", "suggestion", "社区治理", None),
        ("出租车司机在虹桥机场拒载短途，还说我耽误他时间", "complaint", "交通出行", "虹桥机场"),
        ("楼上的空调外机嗡嗡响了一个夏天，跟他们说了也不修", "complaint", "噪音扰民", None),
    ],
)
def test_a_message_is_read_whole(text: str, kind: str, category: str, place: str | None) -> None:
    reading = read(text)
    assert reading.kind == kind
    assert reading.categories[kind][0] == category
    if place is None:
        assert reading.place is None
    else:
        assert reading.place is not None
        assert place in reading.place or reading.place in place
    assert looks_like_matter(text)
