"""A demo catalog for the paper's archives: Nanjing's Republican-era buildings, Suzhou's gardens,
Visual Hami and something for every other archive the survey names (paper §4.3, "regional
featured archives").

Every description is created through ``catalog.services`` as the system and is marked
``is_demo=True``; its conditions of access also say it is demo data. Loading is idempotent: a
description whose reference code already exists in its archive is left alone, and so is a
featured collection whose slug exists. The content follows public knowledge of the places; the
reference codes, extents and file structure are invented for the demo.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
import textwrap
from collections.abc import Callable, Iterable

from django.db import transaction

from archivox.catalog import services
from archivox.catalog.models import Access, Description, DigitalObject, FeaturedCollection, Level
from archivox.core.models import Archive

DEMO_NOTE = "【演示数据】本条目由 Archivox 演示目录生成，依据公开资料编写，并非真实馆藏著录。"
ACCESS_TEXT = {
    Access.OPEN: "开放利用，可在线浏览著录信息及数字化副本。",
    Access.RESTRICTED: "限制利用：著录信息公开，原件及数字化副本须经审批后到馆查阅。",
    Access.CONFIDENTIAL: "控制使用：涉及个人隐私或安全信息，不对外提供利用。",
}
# Chinese archives open most records thirty years after they were formed.
CLOSED_UNTIL = datetime.date(2047, 1, 1)


class DemoCatalogError(Exception):
    """The demo catalog cannot be loaded (no demo archives yet)."""


@dataclasses.dataclass
class Node:
    """One description of the demo tree, with its children."""

    code: str
    level: str
    title: str
    title_en: str = ""
    when: tuple[str, int | None, int | None] = ("", None, None)
    creator: str = ""
    scope: str = ""
    extent: str = ""
    subjects: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    access: str = Access.OPEN
    closed_until: datetime.date | None = None
    language: str = "中文"
    image: bool = False
    children: list[Node] = dataclasses.field(default_factory=list)

    def add(self, *nodes: Node) -> Node:
        self.children.extend(nodes)
        return self

    def values(self, position: int) -> dict:
        expression, start, end = self.when
        if self.closed_until is not None:
            conditions = f"封闭期内不提供利用，{self.closed_until:%Y年%m月%d日}起开放。"
        else:
            conditions = ACCESS_TEXT[Access(self.access)]
        return {
            "reference_code": self.code,
            "level": self.level,
            "title": self.title,
            "title_en": self.title_en,
            "date_expression": expression,
            "start_year": start,
            "end_year": end,
            "creator": self.creator,
            "scope_content": self.scope,
            "extent": self.extent,
            "subjects": list(self.subjects),
            "places": list(self.places),
            "people": list(self.people),
            "access_level": self.access,
            "closed_until": self.closed_until,
            "access_conditions": f"{conditions}\n{DEMO_NOTE}",
            "language": self.language,
            "position": position,
            "is_demo": True,
        }

    def walk(self) -> Iterable[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


def yrs(start: int, end: int | None = None, expression: str | None = None) -> tuple:
    """Dates as written plus the years they span: yrs(1930, 1935) → ("1930—1935年", 1930, 1935)."""
    end = start if end is None else end
    if expression is None:
        expression = f"{start}年" if start == end else f"{start}—{end}年"
    return (expression, start, end)


def fonds(code: str, title: str, title_en: str = "", **kwargs) -> Node:
    return Node(code, Level.FONDS, title, title_en, **kwargs)


def series(code: str, title: str, title_en: str = "", **kwargs) -> Node:
    return Node(code, Level.SERIES, title, title_en, **kwargs)


def file(code: str, title: str, title_en: str = "", **kwargs) -> Node:
    return Node(code, Level.FILE, title, title_en, **kwargs)


def item(code: str, title: str, title_en: str = "", **kwargs) -> Node:
    return Node(code, Level.ITEM, title, title_en, **kwargs)


@dataclasses.dataclass(frozen=True)
class CollectionSpec:
    slug: str
    title: str
    title_en: str
    introduction: str
    codes: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class ArchiveSpec:
    slug: str
    build: Callable[[], list[Node]]
    collections: tuple[CollectionSpec, ...] = ()
    colour: tuple[int, int, int] = (90, 90, 90)


# Nanjing: Republican-era buildings (民国建筑) ---------------------------------------------------

# name, English name, address, (start, end), designer or builder, private residence, people,
# what the building is.
NANJING_BUILDINGS = (
    (
        "总统府",
        "Presidential Palace",
        "玄武区长江路292号",
        (1927, 1949),
        "国民政府；子超楼由虞炳烈设计",
        False,
        ("孙中山",),
        "明代为汉王府，清代为两江总督署，1912年孙中山在此就任临时大总统，1927年至1949年为国民"
        "政府所在地。主楼子超楼建于1934年至1935年。",
    ),
    (
        "中山陵",
        "Sun Yat-sen Mausoleum",
        "玄武区紫金山南麓",
        (1926, 1929),
        "吕彦直（彦记建筑事务所）",
        False,
        ("孙中山", "吕彦直"),
        "孙中山先生陵墓。1925年举行设计竞赛，吕彦直方案获首奖；1926年奠基，1929年6月1日举行"
        "奉安大典。陵墓依山而建，平面呈警钟形。",
    ),
    (
        "白崇禧公馆",
        "Bai Chongxi Mansion",
        "秦淮区大悲巷雍园1号",
        (1946, 1946),
        "",
        True,
        ("白崇禧",),
        "位于南京市秦淮区大悲巷雍园1号，为一幢二层西式楼房，砖木结构，1946年起为国民政府国防部"
        "长白崇禧在南京的寓所，是一处保存完好的民国建筑。",
    ),
    (
        "美龄宫",
        "Soong Mei-ling Palace",
        "玄武区钟山风景区四方城小红山",
        (1931, 1934),
        "赵志游设计",
        False,
        ("宋美龄",),
        "正式名称为国民政府主席官邸，1931年动工，1934年落成，为重檐山顶宫殿式建筑，屋顶覆绿色"
        "琉璃瓦，四周林木环绕。",
    ),
    (
        "颐和路公馆区",
        "Yihe Road Mansion District",
        "鼓楼区颐和路一带",
        (1930, 1937),
        "国民政府首都建设委员会（规划）",
        True,
        (),
        "1930年代依《首都计划》建设的“第二住宅区”，以颐和路为中心，现存民国公馆建筑二百余幢，"
        "是南京民国建筑最集中的街区之一。",
    ),
    (
        "国立中央博物院旧址",
        "Former National Central Museum",
        "玄武区中山东路321号",
        (1936, 1948),
        "徐敬直设计，梁思成顾问",
        False,
        ("蔡元培", "梁思成"),
        "国立中央博物院筹备处1933年成立。大殿仿辽代建筑风格，1936年动工，因抗战中辍，1948年"
        "完成第一期工程，今为南京博物院。",
    ),
    (
        "国民政府外交部旧址",
        "Former Ministry of Foreign Affairs",
        "鼓楼区中山北路32号",
        (1934, 1935),
        "华盖建筑事务所（赵深、童寯）",
        False,
        ("童寯", "赵深"),
        "钢筋混凝土结构，平面呈T形，外墙面砖并饰以中国传统纹样，是民国时期“新民族形式”"
        "建筑的代表作。",
    ),
    (
        "拉贝故居",
        "John Rabe House",
        "鼓楼区小粉桥1号",
        (1932, 1938),
        "",
        True,
        ("约翰·拉贝",),
        "德国西门子公司驻南京代表约翰·拉贝的住所。1937年至1938年拉贝任南京安全区国际委员会"
        "主席期间，曾在院内收容数百名难民。今为拉贝与国际安全区纪念馆。",
    ),
    (
        "中山陵音乐台",
        "Music Stage of the Sun Yat-sen Mausoleum",
        "玄武区钟山风景区",
        (1932, 1933),
        "杨廷宝（基泰工程司）",
        False,
        ("杨廷宝",),
        "半圆形露天音乐台，兼作中山陵谒陵集会场所，以照壁为乐台背景，建筑融合中西风格。",
    ),
    (
        "大华大戏院",
        "Grand Theatre (Dahua)",
        "秦淮区中山南路67号",
        (1934, 1936),
        "杨廷宝（基泰工程司）",
        False,
        ("杨廷宝",),
        "民国时期南京规模最大的电影院之一，门厅以中国传统彩画和红柱装饰，外观为简洁的现代风格。",
    ),
    (
        "国民大会堂旧址",
        "Former National Assembly Hall",
        "玄武区长江路264号",
        (1935, 1936),
        "奚福泉设计",
        False,
        ("奚福泉",),
        "仿西方剧院式建筑，外立面融入中国传统装饰纹样，1946年制宪国民大会在此召开，今为南京"
        "人民大会堂。",
    ),
    (
        "国立中央大学大礼堂",
        "Auditorium of National Central University",
        "玄武区四牌楼2号",
        (1930, 1931),
        "英商公和洋行设计",
        False,
        (),
        "西方古典风格，正面为爱奥尼柱廊，上覆穹顶，是国立中央大学的标志性建筑，今为东南大学"
        "大礼堂。",
    ),
    (
        "国立美术陈列馆旧址",
        "Former National Art Gallery",
        "玄武区长江路266号",
        (1935, 1936),
        "奚福泉设计",
        False,
        ("奚福泉",),
        "中国第一座国家美术馆，1937年第二次全国美术展览会在此举办，今为江苏省美术馆陈列馆。",
    ),
    (
        "国民政府考试院旧址",
        "Former Examination Yuan",
        "玄武区北京东路41号",
        (1930, 1933),
        "国民政府考试院（营建）",
        False,
        ("戴季陶",),
        "国民政府考试院所在地，仿明清宫殿式建筑群，今为南京市人民政府驻地。",
    ),
    (
        "国民革命军阵亡将士公墓",
        "Cemetery of the National Revolutionary Army",
        "玄武区钟山风景区灵谷寺",
        (1931, 1935),
        "美国建筑师茂飞（Henry K. Murphy）设计",
        False,
        (),
        "利用明代灵谷寺旧址改建，包括牌坊、正门、无梁殿（正气堂）、松风阁及九层纪念塔等。",
    ),
    (
        "马歇尔公馆",
        "Marshall House",
        "鼓楼区宁海路5号",
        (1946, 1947),
        "",
        True,
        ("乔治·马歇尔",),
        "1946年至1947年美国特使马歇尔来华调处期间在南京的寓所，为一幢三层西式楼房。",
    ),
    (
        "中央体育场旧址",
        "Former Central Stadium",
        "玄武区钟山风景区灵谷寺路",
        (1930, 1931),
        "基泰工程司（关颂声、杨廷宝）",
        False,
        ("杨廷宝",),
        "为全国运动会而建，设田径场、游泳池、国术场、篮球场等，1933年第五届全国运动会在此举行。",
    ),
)
RECOMMENDED = 12  # the first twelve buildings also appear in the "Nanjing Masterpieces" column


def _nanjing() -> list[Node]:
    root = fonds(
        "NJ-MG",
        "南京民国建筑档案",
        "Republican-era Buildings of Nanjing",
        when=yrs(1912, 1949, "1912—1949年"),
        creator="南京市档案馆（汇集）",
        scope="汇集1912年至1949年间南京民国建筑的历史照片、设计图纸、产权登记与修缮工程档案，"
        "以及本馆微信公众号“南京名片推荐”栏目的推介文稿。南京是民国时期的首都，现存民国建筑"
        "数量多、类型全，是金陵特色历史档案的重要组成部分。",
        extent="2个系列，约300卷（件）",
        subjects=("民国建筑", "城市史", "建筑史"),
        places=("南京",),
    )
    column = series(
        "NJ-MG-001",
        "南京名片推荐",
        "Nanjing Masterpieces Recommended",
        when=yrs(2015, 2016),
        creator="南京市档案馆（编研处）",
        scope="本馆微信公众号“南京名片推荐”栏目推送的民国建筑介绍图文，每篇一件，附配图。",
        extent=f"{RECOMMENDED}件",
        subjects=("民国建筑", "微信公众号", "档案编研"),
        places=("南京",),
    )
    buildings = series(
        "NJ-MG-002",
        "民国建筑专题档案",
        "Files on Republican-era buildings",
        when=yrs(1926, 2016),
        creator="南京市档案馆（汇集）",
        scope="按建筑立卷，每卷含历史照片、设计图纸、产权或接管档案及修缮工程档案。",
        extent=f"{len(NANJING_BUILDINGS)}卷",
        subjects=("民国建筑", "建筑图纸", "文物保护"),
        places=("南京",),
    )
    root.add(column, buildings)
    for index, (
        name,
        name_en,
        address,
        (start, end),
        designer,
        residence,
        people,
        about,
    ) in enumerate(NANJING_BUILDINGS, start=1):
        places = ("南京", address.split("区")[0] + "区")
        if index <= RECOMMENDED:
            column.add(
                item(
                    f"NJ-MG-001-{index:04d}",
                    name,
                    name_en,
                    when=yrs(start, end),
                    creator="南京市档案馆（编研处）",
                    scope=f"“南京名片推荐”栏目推介文稿及配图。{about}",
                    extent="图文1篇，照片6张",
                    subjects=("民国建筑", "南京名片推荐", *(("名人故居",) if residence else ())),
                    places=(*places, address),
                    people=people,
                    image=index <= 5,
                )
            )
        code = f"NJ-MG-002-{index:03d}"
        building = file(
            code,
            f"{name}档案",
            f"{name_en}: files",
            when=yrs(start, 2016),
            creator="南京市档案馆（汇集）",
            scope=f"{name}（{address}）的专题档案。{about}",
            extent="4件",
            subjects=("民国建筑",),
            places=(*places, address),
            people=people,
        )
        restoration_start = 1980 + (index * 3) % 20
        ownership = (
            item(
                f"{code}-0003",
                f"{name}房地产产权登记档案",
                f"{name_en}: property registration",
                when=yrs(1946, 1956),
                creator="南京市地政局；南京市房地产管理局",
                scope=f"{name}的土地及房屋产权登记、转移和清理档案，含历任产权人及住户的个人信息。",
                extent="案卷1卷，42页",
                subjects=("房地产产权", "民国建筑"),
                places=places,
                people=people,
                access=Access.CONFIDENTIAL,
            )
            if residence
            else item(
                f"{code}-0003",
                f"{name}接管与移交档案",
                f"{name_en}: takeover and transfer records",
                when=yrs(1949, 1953),
                creator="南京市军事管制委员会；南京市人民政府",
                scope=f"1949年南京解放后{name}的接管清册、移交文件及使用单位变更记录。",
                extent="案卷1卷，36页",
                subjects=("接管", "民国建筑"),
                places=places,
            )
        )
        building.add(
            item(
                f"{code}-0001",
                f"{name}历史照片",
                f"{name_en}: historical photographs",
                when=yrs(start, end),
                creator="不详",
                scope=f"{name}外景、内景及局部装饰的历史照片。{about}",
                extent=f"照片{8 + index % 9}张",
                subjects=("民国建筑", "历史照片"),
                places=places,
                people=people,
                image=index == 7,
            ),
            item(
                f"{code}-0002",
                f"{name}建筑设计图纸",
                f"{name_en}: architectural drawings",
                when=yrs(start),
                creator=designer or "不详",
                scope=f"{name}的总平面图、立面图、剖面图及细部大样图（晒蓝图）。"
                + (f"设计：{designer}。" if designer else ""),
                extent=f"图纸{4 + index % 7}张",
                subjects=("建筑图纸", "民国建筑"),
                places=places,
                access=Access.RESTRICTED if index % 3 == 1 else Access.OPEN,
                image=index == 1,
            ),
            ownership,
            item(
                f"{code}-0004",
                f"{name}修缮工程档案",
                f"{name_en}: restoration records",
                when=(
                    yrs(2015, 2016)
                    if index == 1
                    else yrs(restoration_start, restoration_start + 5 + index % 7)
                ),
                creator="南京市文物局；南京市城建档案馆",
                scope=f"{name}历次修缮工程的立项批复、施工图、验收报告及修缮前后对比照片。",
                extent="案卷2卷",
                subjects=("文物保护", "修缮工程"),
                places=places,
                closed_until=CLOSED_UNTIL if index == 1 else None,
            ),
        )
        buildings.add(building)
    buildings.add(
        file(
            "NJ-MG-002-900",
            "民国建筑安全保卫方案",
            "Security plans for Republican-era buildings",
            when=yrs(2012, 2016),
            creator="南京市文物局",
            scope="重点民国建筑的安防监控布点图、消防通道图及应急预案，涉及安全信息。",
            extent="案卷3卷",
            subjects=("安全保卫", "文物保护"),
            places=("南京",),
            access=Access.CONFIDENTIAL,
        ).add(
            item(
                "NJ-MG-002-900-0001",
                "总统府安防监控布点图",
                "Presidential Palace: CCTV layout",
                when=yrs(2014),
                creator="南京市文物局",
                scope="总统府景区安防监控点位及线路布置图。",
                extent="图纸6张",
                subjects=("安全保卫",),
                places=("南京", "玄武区"),
            )
        )
    )
    return [root, _yunjin(), _lanterns()]


def _yunjin() -> Node:
    root = fonds(
        "NJ-YJ",
        "南京云锦档案",
        "Nanjing Yunjin Brocade",
        when=yrs(1954, 2009),
        creator="南京云锦研究所",
        scope="南京云锦研究所成立以来形成的纹样图稿、织机图、技艺记录、文物复制及非物质文化"
        "遗产申报档案。南京云锦因色泽光丽如天上云霞而得名，为中国传统丝织工艺的代表。",
        extent="2个系列，约120卷（件）",
        subjects=("云锦", "丝织", "非物质文化遗产"),
        places=("南京",),
    )
    craft = series(
        "NJ-YJ-01",
        "织造技艺",
        "Weaving techniques",
        when=yrs(1954, 2009),
        creator="南京云锦研究所",
        scope="大花楼木织机、妆花等织造技艺的图稿、说明与口述记录。",
        subjects=("云锦", "织造技艺"),
        places=("南京",),
    )
    craft.add(
        item(
            "NJ-YJ-01-0001",
            "大花楼木织机结构图",
            "Structure of the great draw loom",
            when=yrs(1958),
            creator="南京云锦研究所",
            scope="大花楼木织机的总装图及部件图，织机长约5.6米，需上下两人配合操作，"
            "上为拽花工，下为织手。",
            extent="图纸12张",
            subjects=("大花楼织机", "织造技艺"),
            places=("南京",),
        ),
        item(
            "NJ-YJ-01-0002",
            "妆花缎纹样图稿",
            "Zhuanghua satin pattern drafts",
            when=yrs(1960, 1965),
            creator="南京云锦研究所（图案组）",
            scope="妆花缎缠枝莲、云龙、八宝等传统纹样的设计图稿及意匠图。",
            extent="图稿48张",
            subjects=("妆花", "纹样"),
            places=("南京",),
        ),
        item(
            "NJ-YJ-01-0003",
            "云锦老艺人口述技艺记录",
            "Oral accounts of master weavers",
            when=yrs(1957, 1962),
            creator="南京云锦研究所",
            scope="老艺人口述挑花结本、通经断纬等技艺要诀的整理稿，含艺人生平。",
            extent="文稿6册",
            subjects=("口述史", "织造技艺"),
            places=("南京",),
            access=Access.RESTRICTED,
        ),
        item(
            "NJ-YJ-01-0004",
            "南京云锦织造技艺申报人类非物质文化遗产档案",
            "Nomination of Nanjing Yunjin weaving to the UNESCO intangible heritage list",
            when=yrs(2008, 2009),
            creator="南京云锦研究所；南京市文化局",
            scope="2009年南京云锦织造技艺列入联合国教科文组织人类非物质文化遗产代表作名录的"
            "申报文本、影像资料及批复。",
            extent="案卷3卷，录像带2盘",
            subjects=("非物质文化遗产", "申报"),
            places=("南京",),
        ),
    )
    replicas = series(
        "NJ-YJ-02",
        "文物复制研究",
        "Replication of historic textiles",
        when=yrs(1979, 1990),
        creator="南京云锦研究所",
        scope="复制出土丝织文物的研究记录、试织小样和鉴定意见。",
        subjects=("文物复制", "云锦"),
        places=("南京",),
    )
    replicas.add(
        item(
            "NJ-YJ-02-0001",
            "明定陵出土织金妆花龙袍料复制档案",
            "Replica of the Ming Dingling dragon robe fabric",
            when=yrs(1979, 1984),
            creator="南京云锦研究所",
            scope="复制明定陵出土万历皇帝织金妆花龙袍料的研究报告、挑花结本记录及试织小样。",
            extent="案卷2卷，小样5件",
            subjects=("文物复制", "龙袍", "明代"),
            places=("南京", "北京"),
        ),
        item(
            "NJ-YJ-02-0002",
            "复制成果鉴定会记录",
            "Appraisal of the replicas",
            when=yrs(1984),
            creator="南京云锦研究所",
            scope="专家鉴定会的会议记录、鉴定意见书及照片。",
            extent="案卷1卷",
            subjects=("文物复制", "鉴定"),
            places=("南京",),
        ),
    )
    return root.add(craft, replicas)


def _lanterns() -> Node:
    root = fonds(
        "NJ-DH",
        "秦淮灯会档案",
        "Qinhuai Lantern Festival",
        when=yrs(1986, 2016),
        creator="南京市秦淮区人民政府；南京市档案馆（征集）",
        scope="历年秦淮灯会（金陵灯会）的筹办文件、灯组设计图、宣传品及照片。秦淮灯会流行于"
        "南京秦淮河一带，每年春节至元宵节举办。",
        extent="约80卷",
        subjects=("秦淮灯会", "民俗", "元宵节"),
        places=("南京", "秦淮区", "夫子庙"),
    )
    for position, year in enumerate((1986, 1990, 1995, 2000, 2005, 2010, 2014, 2015, 2016), 1):
        root.add(
            item(
                f"NJ-DH-{year}",
                f"{year}年秦淮灯会照片及宣传资料",
                f"Qinhuai Lantern Festival {year}: photographs and posters",
                when=yrs(year),
                creator="南京市秦淮区人民政府",
                scope=f"{year}年春节至元宵节期间秦淮灯会的灯组照片、宣传海报、节目单及观灯"
                "人数统计。",
                extent=f"照片{20 + position * 3}张，海报{position % 4 + 1}张",
                subjects=("秦淮灯会", "花灯"),
                places=("南京", "秦淮区", "夫子庙"),
            )
        )
    return root


def _nanjing_districts() -> dict[str, list[Node]]:
    return {
        "nanjing-gulou": [
            fonds(
                "GL-DFS",
                "鼓楼区地方史档案",
                "Gulou district local history",
                when=yrs(1382, 2016, "明洪武十五年（1382年）—2016年"),
                creator="南京市鼓楼区档案馆（汇集）",
                scope="鼓楼区地名、街巷、历史建筑的图文资料。",
                subjects=("地方史", "街巷"),
                places=("南京", "鼓楼区"),
            ).add(
                item(
                    "GL-DFS-0001",
                    "鼓楼历史照片",
                    "The Drum Tower: historical photographs",
                    when=yrs(1910, 1985, "1910年代—1985年"),
                    scope="明洪武十五年（1382年）始建的南京鼓楼的历史照片，鼓楼区因此得名。",
                    extent="照片16张",
                    subjects=("鼓楼", "明代建筑"),
                    places=("南京", "鼓楼区"),
                ),
                item(
                    "GL-DFS-0002",
                    "颐和路历史文化街区保护档案",
                    "Conservation of the Yihe Road historic district",
                    when=yrs(2010, 2016),
                    creator="南京市鼓楼区人民政府",
                    scope="颐和路历史文化街区保护整治的规划、公示及居民征询资料。",
                    extent="案卷4卷",
                    subjects=("历史文化街区", "民国建筑"),
                    places=("南京", "鼓楼区", "颐和路"),
                ),
                item(
                    "GL-DFS-0003",
                    "鼓楼区街巷地名普查表",
                    "Street-name survey of Gulou district",
                    when=yrs(1983, 1984),
                    creator="南京市鼓楼区地名办公室",
                    scope="第一次全国地名普查中鼓楼区街巷的地名卡片、命名由来与沿革。",
                    extent="卡片320张",
                    subjects=("地名", "街巷"),
                    places=("南京", "鼓楼区"),
                ),
            )
        ],
        "nanjing-xuanwu": [
            fonds(
                "XW-XWH",
                "玄武湖档案",
                "Xuanwu Lake",
                when=yrs(1909, 2016, "1909年—2016年"),
                creator="南京市玄武区档案馆（汇集）",
                scope="玄武湖公园的历史照片、规划与建设档案。1909年辟为公园，民国时称五洲公园。",
                subjects=("玄武湖", "公园"),
                places=("南京", "玄武区", "玄武湖"),
            ).add(
                item(
                    "XW-XWH-0001",
                    "五洲公园历史照片",
                    "Wuzhou Park (Xuanwu Lake): historical photographs",
                    when=yrs(1928, 1937),
                    scope="民国时期玄武湖（五洲公园）的环洲、樱洲、梁洲等处历史照片。",
                    extent="照片22张",
                    subjects=("玄武湖", "历史照片"),
                    places=("南京", "玄武湖"),
                ),
                item(
                    "XW-XWH-0002",
                    "玄武湖清淤工程档案",
                    "Dredging of Xuanwu Lake",
                    when=yrs(1952, 1954),
                    creator="南京市建设局",
                    scope="1950年代玄武湖清淤、筑堤工程的计划、施工记录及照片。",
                    extent="案卷3卷",
                    subjects=("玄武湖", "水利"),
                    places=("南京", "玄武湖"),
                ),
            )
        ],
        "nanjing-qixia": [
            fonds(
                "QX-FZ",
                "栖霞区地方志资料",
                "Qixia district local chronicles",
                when=yrs(1990, 2016),
                creator="南京市栖霞区档案局（地方志办公室）",
                scope="栖霞区志编纂资料，包括名胜古迹、物产与人物。",
                subjects=("地方志",),
                places=("南京", "栖霞区"),
            ).add(
                item(
                    "QX-FZ-0001",
                    "栖霞寺与舍利塔资料长编",
                    "Qixia Temple and its relic pagoda",
                    when=yrs(1995, 2002),
                    scope="栖霞寺始建于南朝齐永明七年（489年），寺内舍利塔为五代南唐所建。"
                    "本件为区志编纂的资料长编。",
                    extent="文稿1册",
                    subjects=("佛教寺院", "古塔"),
                    places=("南京", "栖霞区", "栖霞山"),
                ),
                item(
                    "QX-FZ-0002",
                    "栖霞山红叶节照片",
                    "Qixia Mountain red-leaf festival photographs",
                    when=yrs(2008, 2016),
                    scope="历年栖霞山红叶节的照片及宣传资料。",
                    extent="照片40张",
                    subjects=("红叶", "旅游"),
                    places=("南京", "栖霞山"),
                ),
                item(
                    "QX-FZ-0003",
                    "燕子矶历史资料",
                    "Yanziji Rock: historical material",
                    when=yrs(1990, 2000),
                    scope="燕子矶为长江三大名矶之一，本件收录其碑刻、诗文与历史照片。",
                    extent="文稿1册，照片12张",
                    subjects=("名胜", "碑刻"),
                    places=("南京", "栖霞区", "燕子矶"),
                ),
            )
        ],
        "nanjing-pukou": [
            fonds(
                "PK-DAS",
                "浦口档案史料",
                "Pukou archival history",
                when=yrs(1908, 2016, "1908年—2016年"),
                creator="南京市浦口区档案馆",
                scope="浦口火车站与津浦铁路相关史料，以及区档案事业发展史料。",
                subjects=("铁路", "档案事业史"),
                places=("南京", "浦口区"),
            ).add(
                item(
                    "PK-DAS-0001",
                    "浦口火车站历史照片",
                    "Pukou railway station: historical photographs",
                    when=yrs(1914, 1968, "1914年—1968年"),
                    scope="浦口火车站为津浦铁路南端终点站，1914年建成，1968年南京长江大桥通车前"
                    "为南北铁路轮渡中转要地。",
                    extent="照片18张",
                    subjects=("铁路", "火车站", "民国建筑"),
                    places=("南京", "浦口区"),
                ),
                item(
                    "PK-DAS-0002",
                    "津浦铁路浦口段工程图",
                    "Tianjin–Pukou railway: Pukou section drawings",
                    when=yrs(1908, 1912),
                    creator="津浦铁路南段工程局",
                    scope="津浦铁路浦口段线路图、站场平面图及码头图。",
                    extent="图纸9张",
                    subjects=("铁路", "工程图纸"),
                    places=("南京", "浦口区"),
                    access=Access.RESTRICTED,
                ),
                item(
                    "PK-DAS-0003",
                    "浦口区档案馆馆史资料",
                    "History of the Pukou District Archives",
                    when=yrs(1959, 2016),
                    creator="南京市浦口区档案馆",
                    scope="区档案馆建馆以来的机构沿革、馆藏统计及大事记。",
                    extent="案卷2卷",
                    subjects=("档案事业史",),
                    places=("南京", "浦口区"),
                ),
            )
        ],
    }


# Suzhou: garden archives (苏州园林档案) -------------------------------------------------------

# name, English name, address, built (as written, first year), history, heritage year
SUZHOU_GARDENS = (
    (
        "拙政园",
        "Humble Administrator's Garden",
        "姑苏区东北街178号",
        ("明正德四年（1509年）", 1509),
        "明代御史王献臣辞官归里后始建，取晋潘岳《闲居赋》“拙者之为政”意命名，全园以水为中心，"
        "分东、中、西三部分。",
        ("王献臣", "文徵明"),
        1997,
    ),
    (
        "留园",
        "Lingering Garden",
        "姑苏区留园路338号",
        ("明万历二十一年（1593年）", 1593),
        "明代太仆寺少卿徐泰时始建，时称东园，清光绪年间盛康购得后更名留园，以建筑空间处理"
        "和冠云峰太湖石著称。",
        ("徐泰时", "盛康"),
        1997,
    ),
    (
        "网师园",
        "Master of the Nets Garden",
        "姑苏区带城桥路阔家头巷11号",
        ("清乾隆年间（约1770年）", 1770),
        "南宋史正志“万卷堂”故址，清乾隆年间宋宗元重建，取“渔隐”之意名网师园，以小见大，"
        "是中型宅园的典范。",
        ("史正志", "宋宗元"),
        1997,
    ),
    (
        "沧浪亭",
        "Canglang Pavilion",
        "姑苏区沧浪亭街3号",
        ("北宋庆历五年（1045年）", 1045),
        "北宋诗人苏舜钦购地建亭，取《孟子》“沧浪之水清兮”意命名，是苏州现存历史最悠久的园林，"
        "园外临水，借景入园。",
        ("苏舜钦",),
        2000,
    ),
    (
        "狮子林",
        "Lion Grove Garden",
        "姑苏区园林路23号",
        ("元至正二年（1342年）", 1342),
        "元代天如禅师惟则的弟子为其师所建，因园内湖石形似狮子而得名，以假山洞壑迷宫著称。",
        ("惟则",),
        2000,
    ),
    (
        "环秀山庄",
        "Mountain Villa with Embracing Beauty",
        "姑苏区景德路272号",
        ("清嘉庆十二年（1807年）", 1807),
        "园中湖石假山为清代叠山大师戈裕良所作，面积虽小而有千岩万壑之势，被誉为“别开生面、"
        "独步江南”。",
        ("戈裕良",),
        1997,
    ),
    (
        "艺圃",
        "Garden of Cultivation",
        "姑苏区文衙弄5号",
        ("明嘉靖年间（约1540年）", 1540),
        "明代袁祖庚始建，后归文徵明曾孙文震孟，清初姜埰居此更名艺圃，保存明代园林格局。",
        ("袁祖庚", "文震孟", "姜埰"),
        2000,
    ),
    (
        "耦园",
        "Couple's Retreat Garden",
        "姑苏区小新桥巷6号",
        ("清同治十三年（1874年）", 1874),
        "清代安徽巡抚沈秉成与夫人严永华归隐之所，住宅居中，东西各有一园，故名耦园。",
        ("沈秉成", "严永华"),
        2000,
    ),
    (
        "退思园",
        "Retreat and Reflection Garden",
        "吴江区同里镇",
        ("清光绪十一年（1885年）", 1885),
        "清代任兰生罢官归乡后所建，取“进思尽忠，退思补过”意命名，园林贴水而筑，布局紧凑。",
        ("任兰生",),
        2000,
    ),
)


def _suzhou() -> list[Node]:
    root = fonds(
        "SZ-YL",
        "苏州园林档案",
        "Suzhou Garden Archives",
        when=yrs(1045, 2016, "北宋庆历五年（1045年）—2016年"),
        creator="苏州园林档案馆（汇集）",
        scope="苏州古典园林的测绘图、历史照片、修缮工程、匾额楹联及申报世界文化遗产档案。"
        "1997年拙政园、留园、网师园、环秀山庄列入世界遗产名录，2000年沧浪亭、狮子林、艺圃、"
        "耦园、退思园扩展列入。",
        extent=f"{len(SUZHOU_GARDENS)}个系列，约900卷（件）",
        subjects=("苏州园林", "古典园林", "世界文化遗产"),
        places=("苏州",),
    )
    for index, (name, name_en, address, (built, year), history, people, heritage) in enumerate(
        SUZHOU_GARDENS, start=1
    ):
        code = f"SZ-YL-{index:03d}"
        places = ("苏州", address[:3], name)
        garden = series(
            code,
            f"{name}档案",
            f"{name_en}",
            when=yrs(year, 2016, f"{built}—2016年"),
            creator="苏州园林档案馆",
            scope=f"{name}位于{address}，{built}始建。{history}",
            extent="5件",
            subjects=("苏州园林",),
            places=places,
            people=people,
        )
        garden.add(
            item(
                f"{code}-0001",
                f"{name}历史照片",
                f"{name_en}: historical photographs",
                when=yrs(1920, 1985, "1920年代—1985年"),
                creator="不详；苏州市园林管理处",
                scope=f"{name}厅堂、山池、花木的历史照片，反映园林在各时期的面貌。{history}",
                extent=f"照片{14 + index * 2}张",
                subjects=("苏州园林", "历史照片"),
                places=places,
                people=people,
                image=index <= 4,
            ),
            item(
                f"{code}-0002",
                f"{name}平面测绘图",
                f"{name_en}: survey plans",
                when=yrs(1953, 1963),
                creator="南京工学院建筑系；苏州市园林管理处",
                scope=f"{name}总平面图、主要建筑立面及剖面测绘图，含假山、水池、花木配置。",
                extent=f"图纸{6 + index}张",
                subjects=("测绘图", "苏州园林"),
                places=places,
                access=Access.RESTRICTED if index % 3 == 2 else Access.OPEN,
            ),
            item(
                f"{code}-0003",
                f"{name}匾额楹联拓片及释文",
                f"{name_en}: plaques and couplets",
                when=yrs(1979, 1982),
                creator="苏州市园林管理处",
                scope=f"{name}厅堂匾额、楹联、书条石的拓片、录文及释文。",
                extent=f"拓片{10 + index * 3}张",
                subjects=("匾额楹联", "书法"),
                places=places,
                people=people,
            ),
            item(
                f"{code}-0004",
                f"{name}修缮工程档案",
                f"{name_en}: restoration records",
                when=yrs(2015, 2016) if index == 1 else yrs(1953 + index * 4, 1958 + index * 4),
                creator="苏州市园林和绿化管理局",
                scope=f"{name}修缮工程的勘察报告、设计方案、施工记录和竣工验收资料。",
                extent="案卷3卷",
                subjects=("修缮工程", "文物保护"),
                places=places,
                closed_until=CLOSED_UNTIL if index == 1 else None,
            ),
            item(
                f"{code}-0005",
                f"{name}申报世界文化遗产档案",
                f"{name_en}: World Heritage nomination",
                when=yrs(heritage - 1, heritage),
                creator="苏州市园林和绿化管理局",
                scope=f"{name}列入联合国教科文组织世界遗产名录的申报文本、图件、照片及"
                f"{heritage}年的批准文件。",
                extent="案卷2卷",
                subjects=("世界文化遗产", "申报"),
                places=places,
            ),
        )
        if index <= 3:
            garden.add(
                item(
                    f"{code}-0006",
                    f"{name}安防监控系统设计方案",
                    f"{name_en}: security system design",
                    when=yrs(2012),
                    creator="苏州市园林和绿化管理局",
                    scope=f"{name}安防监控、入侵报警及消防系统的设计图与点位表，涉及安全信息。",
                    extent="图纸14张",
                    subjects=("安全保卫",),
                    places=places,
                    access=Access.CONFIDENTIAL,
                )
            )
        root.add(garden)
    return [root, _suzhou_silk()]


def _suzhou_silk() -> Node:
    root = fonds(
        "SZ-SC",
        "近现代苏州丝绸样本档案",
        "Modern Suzhou silk samples",
        when=yrs(1921, 1998, "1920年代—1990年代"),
        creator="苏州市工商档案管理中心（征集）",
        scope="苏州近现代丝绸企业形成的丝绸样本、设计图稿、工艺单和生产技术档案，2017年入选"
        "联合国教科文组织《世界记忆名录》。",
        extent="约29000卷",
        subjects=("丝绸", "工商档案", "世界记忆"),
        places=("苏州",),
    )
    fabrics = (
        ("塔夫绸", "taffeta", "东吴丝织厂", 1951),
        ("真丝双绉", "silk crepe de chine", "苏州丝绸印花厂", 1962),
        ("宋锦", "Song brocade", "苏州宋锦厂", 1956),
        ("漳缎", "Zhang velvet", "苏州漳缎厂", 1959),
        ("织锦缎", "brocade satin", "光明丝织厂", 1964),
        ("乔其纱", "georgette", "新苏丝织厂", 1978),
    )
    for index, (fabric, fabric_en, factory, year) in enumerate(fabrics, start=1):
        root.add(
            item(
                f"SZ-SC-{index:04d}",
                f"{factory}{fabric}样本册",
                f"{fabric_en.capitalize()} sample book, {factory}",
                when=yrs(year, year + 12),
                creator=factory,
                scope=f"{factory}生产的{fabric}样本，附品号、组织结构、经纬密度和花型设计"
                "说明，反映苏州丝绸工艺的传承与创新。",
                extent=f"样本册{index + 1}册，样本{60 + index * 15}块",
                subjects=("丝绸", fabric, "丝绸样本"),
                places=("苏州",),
            )
        )
    root.add(
        item(
            "SZ-SC-0900",
            "丝织企业职工档案",
            "Personnel files of silk factory workers",
            when=yrs(1956, 1998),
            creator="苏州市丝绸工业公司",
            scope="企业改制时移交的职工个人档案，含个人身份与工资信息。",
            extent="约6000卷",
            subjects=("人事档案",),
            places=("苏州",),
            access=Access.CONFIDENTIAL,
        )
    )
    return root


# Hami: Visual Hami (视觉哈密) ------------------------------------------------------------------

HAMI_THEMES = (
    (
        "自然风光",
        "Landscapes",
        (
            (
                "巴里坤草原",
                "Barkol grassland",
                "巴里坤哈萨克自治县",
                "天山北麓的高山草原，夏季牧场",
            ),
            ("巴里坤湖", "Barkol Lake", "巴里坤哈萨克自治县", "天山北麓的高原咸水湖"),
            ("东天山", "Eastern Tianshan", "哈密市伊州区", "天山东段山脉，主峰常年积雪"),
            ("大海道雅丹", "Dahaidao yardang", "哈密市伊州区", "风蚀形成的雅丹地貌，俗称魔鬼城"),
            ("伊吾胡杨林", "Poplar forest of Yiwu", "伊吾县", "淖毛湖一带的胡杨林，秋季金黄"),
        ),
    ),
    (
        "人文古迹",
        "Historic sites",
        (
            (
                "哈密回王府",
                "Palace of the Hami Kings",
                "哈密市伊州区",
                "清代哈密回王的府邸，已复建",
            ),
            ("哈密王陵", "Tombs of the Hami Kings", "哈密市伊州区", "清代哈密回王家族陵墓群"),
            ("拉甫却克古城", "Lafuqueke ancient city", "哈密市伊州区", "唐代伊州纳职县故城遗址"),
            ("巴里坤天山庙", "Tianshan Temple of Barkol", "巴里坤哈萨克自治县", "清代始建的庙宇"),
        ),
    ),
    (
        "民俗风情",
        "Folk life",
        (
            ("哈密木卡姆", "Hami Muqam", "哈密市", "维吾尔木卡姆艺术的组成部分，2005年列入名录"),
            ("哈密瓜采收", "Hami melon harvest", "哈密市", "哈密瓜主产区夏秋采收与晾晒场景"),
            ("阿肯弹唱会", "Kazakh aken singing", "巴里坤哈萨克自治县", "哈萨克族民间即兴对唱"),
        ),
    ),
    (
        "城市建设",
        "City life",
        (
            ("哈密城区新貌", "Hami city today", "哈密市伊州区", "城区街道、广场和新建住宅区"),
            ("哈密火车站", "Hami railway station", "哈密市伊州区", "兰新铁路上的重要车站"),
        ),
    ),
)


def _hami() -> list[Node]:
    root = fonds(
        "HM-SJ",
        "视觉哈密摄影档案",
        "Visual Hami photographs",
        when=yrs(2013, 2016),
        creator="哈密地区档案局；哈密市档案局（2016年起）",
        scope="本馆微博原创图文栏目“视觉哈密”刊发的摄影作品及说明，记录哈密的自然风光、人文"
        "古迹、民俗风情与城市建设。2016年撤销哈密地区设立地级哈密市。",
        extent=f"{len(HAMI_THEMES)}个系列，约600张照片",
        subjects=("视觉哈密", "摄影", "微博"),
        places=("新疆", "哈密"),
    )
    for theme_index, (theme, theme_en, subjects) in enumerate(HAMI_THEMES, start=1):
        theme_code = f"HM-SJ-{theme_index:02d}"
        theme_node = series(
            theme_code,
            f"视觉哈密·{theme}",
            f"Visual Hami: {theme_en.lower()}",
            when=yrs(2013, 2016),
            creator="哈密地区档案局",
            scope=f"“视觉哈密”栏目{theme}类摄影作品。",
            subjects=("视觉哈密", theme),
            places=("哈密",),
        )
        for subject_index, (name, name_en, county, about) in enumerate(subjects, start=1):
            subject_code = f"{theme_code}-{subject_index:03d}"
            places = ("哈密", county, name)
            subject_node = file(
                subject_code,
                f"视觉哈密·{name}",
                f"Visual Hami: {name_en}",
                when=yrs(2013, 2016),
                creator="哈密地区档案局",
                scope=f"{name}：{about}。",
                extent="4组",
                subjects=("视觉哈密", theme),
                places=places,
            )
            for year_index, year in enumerate((2013, 2014, 2015, 2016), start=1):
                creator = "哈密市档案局" if year == 2016 else "哈密地区档案局"
                subject_node.add(
                    item(
                        f"{subject_code}-{year_index:04d}",
                        f"视觉哈密：{name}（{year}年）",
                        f"Visual Hami: {name_en}, {year}",
                        when=yrs(year),
                        creator=creator,
                        scope=f"“视觉哈密”栏目{year}年刊发的{name}组照。{about}。",
                        extent=f"数码照片{5 + (subject_index + year_index) % 6}张",
                        subjects=("视觉哈密", "摄影", theme),
                        places=places,
                        image=theme_index == 1 and subject_index <= 3 and year == 2016,
                        access=(
                            Access.RESTRICTED
                            if name == "哈密木卡姆" and year == 2014
                            else Access.OPEN
                        ),
                    )
                )
            if name in ("东天山", "大海道雅丹"):
                subject_node.add(
                    item(
                        f"{subject_code}-0900",
                        f"{name}航拍原片",
                        f"{name_en}: aerial originals",
                        when=yrs(2015),
                        creator="哈密地区档案局",
                        scope=f"{name}航拍原始影像，含未经审核的地理信息，按规定不对外提供。",
                        extent="数码影像120幅",
                        subjects=("航拍", "地理信息"),
                        places=places,
                        access=Access.CONFIDENTIAL,
                    )
                )
            if name == "哈密城区新貌":
                subject_node.add(
                    item(
                        f"{subject_code}-0901",
                        "哈密市城市总体规划图件",
                        "Hami city master plan maps",
                        when=yrs(2016),
                        creator="哈密市人民政府",
                        scope="撤地设市后编制的哈密市城市总体规划图件及说明书。",
                        extent="图件18幅，说明书1册",
                        subjects=("城市规划",),
                        places=("哈密",),
                        closed_until=CLOSED_UNTIL,
                    )
                )
            theme_node.add(subject_node)
        root.add(theme_node)
    return [root]


# Beijing, Kunming, Sichuan, Yancheng -------------------------------------------------------------


def _beijing() -> list[Node]:
    gates = (
        ("永定门", "Yongdingmen", "外城正门，1957年拆除，2005年复建"),
        ("正阳门", "Zhengyangmen", "内城正门，俗称前门，由城楼和箭楼组成"),
        ("天安门", "Tian'anmen", "明清皇城正门，始建于明永乐十五年（1417年）"),
        ("故宫午门", "Meridian Gate", "紫禁城正门"),
        ("景山万春亭", "Wanchun Pavilion, Jingshan", "中轴线制高点"),
        ("鼓楼", "Drum Tower", "元明清三代报时中心"),
        ("钟楼", "Bell Tower", "中轴线北端"),
    )
    root = fonds(
        "BJ-ZZX",
        "北京中轴线历史照片",
        "Historical photographs of Beijing's Central Axis",
        when=yrs(1900, 1959, "1900年代—1950年代"),
        creator="北京市档案馆（征集）",
        scope="北京中轴线自永定门至钟鼓楼沿线城门、宫殿、街市的历史照片。",
        extent=f"{len(gates)}件，照片约200张",
        subjects=("北京中轴线", "历史照片", "城市史"),
        places=("北京",),
    )
    for index, (name, name_en, about) in enumerate(gates, start=1):
        root.add(
            item(
                f"BJ-ZZX-{index:04d}",
                f"{name}历史照片",
                f"{name_en}: historical photographs",
                when=yrs(1900 + index * 5, 1930 + index * 4),
                creator="不详",
                scope=f"{name}：{about}。本件收录其不同时期的历史照片。",
                extent=f"照片{12 + index * 3}张",
                subjects=("北京中轴线", "历史照片"),
                places=("北京", name),
            )
        )
    return [root]


def _shijingshan() -> list[Node]:
    root = fonds(
        "SJS-DFS",
        "石景山区地方史档案",
        "Shijingshan district history",
        when=yrs(1439, 2016, "明正统四年（1439年）—2016年"),
        creator="北京市石景山区档案馆（汇集）",
        scope="石景山区工业、宗教建筑、古道与村落的历史档案，本馆微博常用素材。",
        extent="3个系列",
        subjects=("地方史", "石景山"),
        places=("北京", "石景山区"),
    )
    steel = series(
        "SJS-DFS-01",
        "首钢历史档案",
        "Shougang (Capital Steel) history",
        when=yrs(1919, 2016),
        creator="首都钢铁公司；北京市石景山区档案馆（征集）",
        scope="1919年龙烟铁矿公司石景山炼厂筹建以来首钢发展的历史档案。",
        subjects=("首钢", "钢铁工业", "工业遗产"),
        places=("北京", "石景山区"),
    )
    steel.add(
        item(
            "SJS-DFS-01-0001",
            "龙烟铁矿公司石景山炼厂筹建档案",
            "Founding of the Longyan Iron Company's Shijingshan works",
            when=yrs(1919, 1923),
            creator="龙烟铁矿股份有限公司",
            scope="1919年筹建石景山炼厂的章程、购地契约、设备订购合同及厂区照片。",
            extent="案卷3卷",
            subjects=("首钢", "民族工业"),
            places=("北京", "石景山区"),
        ),
        item(
            "SJS-DFS-01-0002",
            "石景山钢铁厂一号高炉照片",
            "Blast furnace No. 1, Shijingshan steel works",
            when=yrs(1958, 1966),
            creator="石景山钢铁公司",
            scope="一号高炉改造及生产场景照片。",
            extent="照片26张",
            subjects=("首钢", "高炉"),
            places=("北京", "石景山区"),
        ),
        item(
            "SJS-DFS-01-0003",
            "首钢搬迁调整档案",
            "Relocation of Shougang to Caofeidian",
            when=yrs(2005, 2010),
            creator="首钢总公司",
            scope="首钢石景山厂区钢铁主流程搬迁至河北曹妃甸的决策文件、停产纪念照片及职工安置"
            "资料。",
            extent="案卷8卷",
            subjects=("首钢", "搬迁", "工业遗产"),
            places=("北京", "石景山区", "曹妃甸"),
        ),
        item(
            "SJS-DFS-01-0004",
            "首钢厂区地下管网图",
            "Shougang site: underground utility maps",
            when=yrs(1990, 2010),
            creator="首钢总公司",
            scope="厂区地下燃气、供水、电力管网竣工图，涉及安全信息。",
            extent="图纸64张",
            subjects=("管网", "安全"),
            places=("北京", "石景山区"),
            access=Access.CONFIDENTIAL,
        ),
        item(
            "SJS-DFS-01-0005",
            "首钢老工业区改造规划",
            "Plan for the old Shougang industrial area",
            when=yrs(2016),
            creator="北京市石景山区人民政府",
            scope="首钢老工业区转型改造的规划方案及论证材料。",
            extent="案卷4卷",
            subjects=("城市更新", "工业遗产"),
            places=("北京", "石景山区"),
            closed_until=CLOSED_UNTIL,
        ),
    )
    temples = series(
        "SJS-DFS-02",
        "寺庙与壁画档案",
        "Temples and murals",
        when=yrs(1439, 2016, "明正统四年（1439年）—2016年"),
        creator="北京市石景山区档案馆（汇集）",
        scope="法海寺、八大处、承恩寺等宗教建筑的档案。",
        subjects=("寺庙", "壁画"),
        places=("北京", "石景山区"),
    )
    temples.add(
        item(
            "SJS-DFS-02-0001",
            "法海寺明代壁画照片",
            "Ming murals of Fahai Temple",
            when=yrs(1439, 1443, "明正统四年至八年（1439—1443年）"),
            creator="北京市文物局（拍摄）",
            scope="法海寺大雄宝殿明代壁画的照片，壁画绘于明正统年间，以帝释梵天图、水月观音著称。",
            extent="照片48张",
            subjects=("壁画", "明代", "佛教艺术"),
            places=("北京", "石景山区", "法海寺"),
            access=Access.RESTRICTED,
        ),
        item(
            "SJS-DFS-02-0002",
            "八大处公园历史照片",
            "Badachu Park: historical photographs",
            when=yrs(1920, 1990, "1920年代—1990年"),
            scope="西山八大处八座古刹的历史照片，包括长安寺、灵光寺、三山庵、大悲寺等。",
            extent="照片30张",
            subjects=("寺庙", "公园"),
            places=("北京", "石景山区", "八大处"),
        ),
        item(
            "SJS-DFS-02-0003",
            "承恩寺修缮档案",
            "Restoration of Cheng'en Temple",
            when=yrs(2008, 2011),
            creator="北京市石景山区文物管理所",
            scope="模式口承恩寺修缮工程的勘察、设计与验收资料。",
            extent="案卷2卷",
            subjects=("修缮工程", "寺庙"),
            places=("北京", "石景山区", "模式口"),
        ),
    )
    roads = series(
        "SJS-DFS-03",
        "京西古道与村落档案",
        "Old roads and villages of western Beijing",
        when=yrs(1950, 2016),
        creator="北京市石景山区档案馆（汇集）",
        scope="模式口大街、京西古道及永定河沿岸村落的调查资料。",
        subjects=("京西古道", "传统村落"),
        places=("北京", "石景山区"),
    )
    roads.add(
        item(
            "SJS-DFS-03-0001",
            "模式口历史文化街区调查资料",
            "Moshikou historic street survey",
            when=yrs(2002, 2004),
            creator="北京市石景山区规划分局",
            scope="模式口大街（旧称磨石口）沿街院落、驼铃古道遗迹的调查表与照片。",
            extent="调查表86份，照片120张",
            subjects=("历史文化街区", "京西古道"),
            places=("北京", "石景山区", "模式口"),
        ),
        item(
            "SJS-DFS-03-0002",
            "永定河石景山段治理档案",
            "Yongding River works in Shijingshan",
            when=yrs(1956, 1985),
            creator="北京市水利局",
            scope="永定河石景山段堤防加固、引水渠工程的设计与施工资料。",
            extent="案卷5卷",
            subjects=("永定河", "水利"),
            places=("北京", "石景山区", "永定河"),
        ),
    )
    return [root.add(steel, temples, roads)]


def _dongcheng() -> list[Node]:
    hutongs = (
        ("南锣鼓巷", "Nanluoguxiang", "元代街巷格局保存完整的鱼骨状胡同"),
        ("国子监街", "Guozijian Street", "国子监与孔庙所在，街上保存四座牌楼"),
        ("东四三条", "Dongsi Santiao", "东四胡同群中四合院保存较好的一条"),
        ("史家胡同", "Shijia Hutong", "明代已见记载，今设史家胡同博物馆"),
        ("东交民巷", "Dongjiaominxiang", "近代使馆区，留存多座西式建筑"),
    )
    root = fonds(
        "DC-HT",
        "东城区胡同档案",
        "Hutongs of Dongcheng",
        when=yrs(1949, 2016),
        creator="北京市东城区档案馆（汇集）",
        scope="东城区胡同的历史照片、地名沿革和保护整治档案。",
        subjects=("胡同", "四合院", "历史文化街区"),
        places=("北京", "东城区"),
    )
    for index, (name, name_en, about) in enumerate(hutongs, start=1):
        root.add(
            item(
                f"DC-HT-{index:04d}",
                f"{name}档案",
                f"{name_en}",
                when=yrs(1950 + index * 6, 2016),
                scope=f"{name}：{about}。收录历史照片、门牌沿革及保护整治资料。",
                extent=f"照片{20 + index * 4}张，案卷2卷",
                subjects=("胡同",),
                places=("北京", "东城区", name),
            )
        )
    return [root]


def _kunming() -> list[Node]:
    lianda = fonds(
        "KM-LD",
        "国立西南联合大学在昆档案",
        "National Southwest Associated University in Kunming",
        when=yrs(1938, 1946),
        creator="国立西南联合大学",
        scope="1938年北京大学、清华大学、南开大学西迁昆明组成国立西南联合大学，至1946年复员"
        "北返。本全宗收录校舍建设、迁校、教学与纪念碑等档案。",
        extent="约1200卷",
        subjects=("西南联大", "高等教育", "抗战"),
        places=("昆明",),
        people=("梅贻琦", "蒋梦麟", "张伯苓"),
    )
    lianda.add(
        item(
            "KM-LD-0001",
            "湘黔滇旅行团日记及照片",
            "Hunan–Guizhou–Yunnan travelling party: diaries and photographs",
            when=yrs(1938),
            creator="国立长沙临时大学湘黔滇旅行团",
            scope="1938年2月至4月，长沙临时大学师生组成湘黔滇旅行团步行约3500里抵达昆明，"
            "本件收录团员日记、路线图及沿途照片。",
            extent="日记3册，照片40张",
            subjects=("西南联大", "迁校"),
            places=("长沙", "贵阳", "昆明"),
            people=("闻一多",),
        ),
        item(
            "KM-LD-0002",
            "西南联大新校舍建筑设计图",
            "New campus drawings",
            when=yrs(1938, 1939),
            creator="梁思成、林徽因（设计）",
            scope="西南联大新校舍的规划与设计图。因经费所限，校舍多为土墙铁皮顶或茅草顶平房。",
            extent="图纸11张",
            subjects=("西南联大", "校舍", "建筑图纸"),
            places=("昆明",),
            people=("梁思成", "林徽因"),
            access=Access.RESTRICTED,
            image=True,
        ),
        item(
            "KM-LD-0003",
            "国立西南联合大学纪念碑碑文拓片",
            "Memorial stele of the university: rubbing",
            when=yrs(1946),
            creator="国立西南联合大学",
            scope="1946年5月立于校园的纪念碑拓片，冯友兰撰文，闻一多篆额，罗庸书丹，世称“三绝碑”。",
            extent="拓片1张",
            subjects=("西南联大", "碑刻"),
            places=("昆明",),
            people=("冯友兰", "闻一多", "罗庸"),
        ),
        item(
            "KM-LD-0004",
            "西南联大校歌曲谱",
            "University anthem score",
            when=yrs(1938, 1939),
            creator="国立西南联合大学",
            scope="校歌以《满江红》词牌填词，罗庸作词，张清常作曲。",
            extent="曲谱2页",
            subjects=("西南联大", "校歌"),
            places=("昆明",),
            people=("罗庸", "张清常"),
        ),
        item(
            "KM-LD-0005",
            "教职员人事档案",
            "Staff personnel files",
            when=yrs(1938, 1946),
            creator="国立西南联合大学",
            scope="教职员履历、聘书及薪俸记录，含个人隐私。",
            extent="案卷62卷",
            subjects=("人事档案",),
            places=("昆明",),
            access=Access.CONFIDENTIAL,
        ),
    )
    railway = fonds(
        "KM-DY",
        "滇越铁路档案",
        "Yunnan–Vietnam Railway",
        when=yrs(1903, 1950),
        creator="滇越铁路公司；昆明市档案馆（征集）",
        scope="滇越铁路自越南海防至昆明，1903年开工，1910年全线通车，是中国西南第一条铁路。"
        "本全宗收录站房、桥梁照片及运营档案。",
        extent="约300卷",
        subjects=("滇越铁路", "铁路", "米轨"),
        places=("昆明", "蒙自", "河口"),
    )
    for index, (name, name_en, about, year) in enumerate(
        (
            ("昆明站（云南府站）", "Kunming (Yunnanfu) station", "铁路北端终点站", 1910),
            ("人字桥", "Herringbone Bridge", "跨越四岔河峡谷的钢桁架桥", 1908),
            ("碧色寨车站", "Bisezhai station", "蒙自附近的重要车站，法式站房保存完好", 1909),
            ("河口站", "Hekou station", "中越边境车站", 1910),
        ),
        start=1,
    ):
        railway.add(
            item(
                f"KM-DY-{index:04d}",
                f"滇越铁路{name}照片",
                f"Yunnan–Vietnam Railway: {name_en}",
                when=yrs(year, year + 20),
                creator="滇越铁路公司",
                scope=f"{name}：{about}。收录建设及运营时期照片。",
                extent=f"照片{10 + index * 4}张",
                subjects=("滇越铁路", "历史照片"),
                places=("云南", name.split("（")[0]),
            )
        )
    railway.add(
        item(
            "KM-DY-0900",
            "滇越铁路沿线桥隧现状检测报告",
            "Inspection of bridges and tunnels along the railway",
            when=yrs(2016),
            creator="昆明铁路局",
            scope="滇越铁路云南段桥梁、隧道结构检测报告及保护建议。",
            extent="报告2册",
            subjects=("滇越铁路", "工业遗产"),
            places=("云南",),
            closed_until=CLOSED_UNTIL,
        )
    )
    academy = fonds(
        "KM-JWT",
        "云南陆军讲武堂档案",
        "Yunnan Military Academy",
        when=yrs(1909, 1935),
        creator="云南陆军讲武堂",
        scope="云南陆军讲武堂1909年创办于昆明翠湖西畔，朱德、叶剑英等曾在此学习或任教。",
        extent="约150卷",
        subjects=("讲武堂", "军事教育"),
        places=("昆明", "翠湖"),
        people=("朱德", "叶剑英"),
    )
    academy.add(
        item(
            "KM-JWT-0001",
            "讲武堂旧址建筑照片",
            "Academy buildings: photographs",
            when=yrs(1909, 1930),
            scope="讲武堂走马转角楼式主体建筑及操场的历史照片。",
            extent="照片18张",
            subjects=("讲武堂", "历史建筑"),
            places=("昆明", "翠湖"),
        ),
        item(
            "KM-JWT-0002",
            "讲武堂学员名册",
            "Register of cadets",
            when=yrs(1909, 1928),
            creator="云南陆军讲武堂",
            scope="历期学员姓名、籍贯、年龄及毕业去向的名册。",
            extent="名册9册",
            subjects=("讲武堂", "名册"),
            places=("昆明",),
            access=Access.RESTRICTED,
        ),
    )
    return [lianda, railway, academy]


def _sichuan() -> list[Node]:
    dujiangyan = fonds(
        "SC-DJY",
        "都江堰岁修档案",
        "Annual repairs of the Dujiangyan irrigation system",
        when=yrs(1933, 1949),
        creator="四川省水利局",
        scope="民国时期都江堰每年冬季截流、淘滩、修堰的计划、经费、验收报告及工程照片。都江堰"
        "始建于战国时期，由秦蜀郡太守李冰主持修建，岁修遵循“深淘滩，低作堰”的原则。",
        extent="约400卷",
        subjects=("都江堰", "水利", "岁修"),
        places=("四川", "都江堰", "灌县"),
        people=("李冰",),
    )
    dujiangyan.add(
        item(
            "SC-DJY-1933",
            "1933年叠溪地震后都江堰抢修档案",
            "Emergency repairs after the 1933 Diexi earthquake",
            when=yrs(1933, 1934),
            creator="四川省水利局",
            scope="1933年8月叠溪地震引发岷江堰塞湖溃决，冲毁都江堰渠首工程；本件收录灾情"
            "报告、抢修计划与经费文件。",
            extent="案卷4卷",
            subjects=("都江堰", "地震", "水灾"),
            places=("四川", "灌县", "叠溪"),
        )
    )
    for year in range(1936, 1950):
        dujiangyan.add(
            item(
                f"SC-DJY-{year}",
                f"{year}年度都江堰岁修工程档案",
                f"Dujiangyan annual repairs, {year}",
                when=yrs(year, year + 1, f"{year}年冬—{year + 1}年春"),
                creator="四川省水利局都江堰工程处",
                scope=f"{year}年度都江堰岁修的计划书、杩槎截流记录、工料经费预算及开水验收报告。",
                extent=f"案卷{1 + year % 3}卷",
                subjects=("都江堰", "岁修"),
                places=("四川", "灌县"),
            )
        )
    railway = fonds(
        "SC-BL",
        "四川保路运动档案",
        "Sichuan Railway Protection Movement",
        when=yrs(1904, 1911),
        creator="川汉铁路公司；四川保路同志会",
        scope="1911年四川各界反对清政府将川汉铁路“收归国有”而发起的保路运动档案。",
        extent="约60卷",
        subjects=("保路运动", "辛亥革命", "川汉铁路"),
        places=("四川", "成都"),
    )
    railway.add(
        item(
            "SC-BL-0001",
            "川汉铁路公司股票及认股簿",
            "Sichuan–Hankou Railway Company shares",
            when=yrs(1905, 1910),
            creator="川汉铁路公司",
            scope="川汉铁路公司发行的股票样张及各州县认股簿，反映租股摊派情况。",
            extent="股票12张，认股簿4册",
            subjects=("川汉铁路", "股票"),
            places=("四川",),
        ),
        item(
            "SC-BL-0002",
            "四川保路同志会报告",
            "Reports of the Railway Protection Comrades' Association",
            when=yrs(1911),
            creator="四川保路同志会",
            scope="1911年6月成立的四川保路同志会印发的报告、传单与宣言。",
            extent="印刷品24件",
            subjects=("保路运动", "传单"),
            places=("成都",),
        ),
    )
    war = fonds(
        "SC-KZ",
        "川军抗战档案",
        "Sichuan armies in the War of Resistance",
        when=yrs(1937, 1945),
        creator="四川省政府；四川省档案馆（征集）",
        scope="抗日战争时期川军出川抗战、兵役征集及后方支援的档案。",
        extent="约500卷",
        subjects=("抗日战争", "川军"),
        places=("四川",),
    )
    war.add(
        item(
            "SC-KZ-0001",
            "川军出川抗战照片",
            "Sichuan troops leaving for the front",
            when=yrs(1937, 1938),
            scope="1937年川军出川开赴前线的集会及行军照片。",
            extent="照片36张",
            subjects=("抗日战争", "川军", "历史照片"),
            places=("成都",),
        ),
        item(
            "SC-KZ-0002",
            "王铭章将军殉国资料",
            "General Wang Mingzhang",
            when=yrs(1938),
            scope="1938年3月滕县保卫战中第一二二师师长王铭章殉国的电报、追悼会资料及照片。",
            extent="案卷1卷",
            subjects=("抗日战争", "滕县保卫战"),
            places=("滕县", "成都"),
            people=("王铭章",),
        ),
        item(
            "SC-KZ-0003",
            "阵亡将士抚恤名册",
            "Register of pensions for the fallen",
            when=yrs(1938, 1946),
            creator="四川省政府",
            scope="川籍阵亡将士抚恤名册，含家属姓名与住址等个人信息。",
            extent="名册30册",
            subjects=("抚恤", "抗日战争"),
            places=("四川",),
            access=Access.CONFIDENTIAL,
        ),
    )
    sanxingdui = fonds(
        "SC-SXD",
        "三星堆遗址发掘与保护档案",
        "Sanxingdui excavation and conservation",
        when=yrs(1986, 2016),
        creator="四川省文物考古研究所；四川省档案馆（征集）",
        scope="1986年广汉三星堆一、二号祭祀坑发掘及其后遗址保护的档案。",
        extent="约80卷",
        subjects=("三星堆", "考古", "青铜器"),
        places=("四川", "广汉"),
    )
    sanxingdui.add(
        item(
            "SC-SXD-0001",
            "1986年祭祀坑发掘照片",
            "1986 excavation of the sacrificial pits: photographs",
            when=yrs(1986),
            creator="四川省文物考古研究所",
            scope="一、二号祭祀坑发掘现场及出土青铜立人像、青铜面具等器物的照片。",
            extent="照片150张",
            subjects=("三星堆", "考古发掘", "青铜器"),
            places=("广汉",),
            image=True,
        ),
        item(
            "SC-SXD-0002",
            "祭祀坑发掘记录",
            "Excavation records",
            when=yrs(1986),
            creator="四川省文物考古研究所",
            scope="发掘日记、探方记录及器物登记表。",
            extent="案卷6卷",
            subjects=("三星堆", "考古发掘"),
            places=("广汉",),
            access=Access.RESTRICTED,
        ),
        item(
            "SC-SXD-0003",
            "三星堆遗址文物安全防范方案",
            "Security plan for the Sanxingdui site",
            when=yrs(2012),
            creator="广汉市文物管理所",
            scope="遗址区安防布点、巡查路线及应急预案，涉及安全信息。",
            extent="方案1册",
            subjects=("安全保卫",),
            places=("广汉",),
            access=Access.CONFIDENTIAL,
        ),
        item(
            "SC-SXD-0004",
            "三星堆遗址保护总体规划",
            "Conservation master plan for Sanxingdui",
            when=yrs(2016),
            creator="四川省文物局",
            scope="遗址保护范围、建设控制地带及展示利用规划。",
            extent="规划文本1册，图件24幅",
            subjects=("三星堆", "保护规划"),
            places=("广汉",),
            closed_until=CLOSED_UNTIL,
        ),
    )
    return [dujiangyan, railway, war, sanxingdui]


def _yancheng() -> list[Node]:
    army = fonds(
        "YC-XSJ",
        "新四军重建军部档案",
        "Re-establishment of the New Fourth Army headquarters",
        when=yrs(1941),
        creator="新四军军部；盐城市档案馆（征集）",
        scope="1941年1月皖南事变后，新四军在盐城重建军部，陈毅任代理军长，刘少奇任政治委员。",
        extent="约40卷",
        subjects=("新四军", "抗日战争"),
        places=("盐城",),
        people=("陈毅", "刘少奇"),
    )
    army.add(
        item(
            "YC-XSJ-0001",
            "新四军重建军部大会照片",
            "Ceremony re-establishing the headquarters",
            when=yrs(1941),
            scope="1941年1月新四军在盐城举行重建军部就职典礼的照片。",
            extent="照片8张",
            subjects=("新四军", "历史照片"),
            places=("盐城",),
            people=("陈毅", "刘少奇"),
        ),
        item(
            "YC-XSJ-0002",
            "新四军重建军部旧址修缮档案",
            "Restoration of the headquarters site",
            when=yrs(1985, 1987),
            creator="盐城市文化局",
            scope="新四军重建军部旧址（泰山庙）修缮工程的设计与验收资料。",
            extent="案卷2卷",
            subjects=("新四军", "修缮工程"),
            places=("盐城",),
        ),
    )
    coast = fonds(
        "YC-HY",
        "盐城海盐与湿地档案",
        "Sea salt and coastal wetlands of Yancheng",
        when=yrs(1024, 2016, "北宋天圣二年（1024年）—2016年"),
        creator="盐城市档案馆（汇集）",
        scope="盐城因盐得名。本全宗收录范公堤、淮南盐场及沿海湿地保护的档案。",
        subjects=("海盐", "湿地", "范公堤"),
        places=("盐城",),
    )
    coast.add(
        item(
            "YC-HY-0001",
            "范公堤历史资料汇编",
            "Fan Gong Embankment: historical material",
            when=yrs(1024, 1027, "北宋天圣二年至五年（1024—1027年）"),
            creator="盐城市地方志办公室",
            scope="范仲淹主持修筑捍海堰（后称范公堤）的史料、碑记及历代修缮记录汇编。",
            extent="汇编1册",
            subjects=("范公堤", "海堤"),
            places=("盐城", "东台"),
            people=("范仲淹",),
        ),
        item(
            "YC-HY-0002",
            "盐城丹顶鹤自然保护区建区档案",
            "Founding of the Yancheng red-crowned crane reserve",
            when=yrs(1983, 1992),
            creator="盐城市人民政府",
            scope="1983年建立盐城地区沿海滩涂珍禽自然保护区，1992年晋升为国家级自然保护区的"
            "批复及调查资料。",
            extent="案卷3卷",
            subjects=("丹顶鹤", "自然保护区", "湿地"),
            places=("盐城",),
        ),
    )
    return [army, coast]


# The catalog, archive by archive ---------------------------------------------------------------

ARCHIVES: tuple[ArchiveSpec, ...] = (
    ArchiveSpec(
        "nanjing",
        _nanjing,
        (
            CollectionSpec(
                "jinling-historical-archives",
                "金陵特色历史档案",
                "Jinling historical archives",
                "南京（金陵）是六朝古都和民国首都。本专题精选馆藏民国建筑、云锦与秦淮灯会档案，"
                "展示南京独特的城市记忆。",
                (
                    "NJ-MG-001-0003",
                    "NJ-MG-001-0001",
                    "NJ-MG-001-0002",
                    "NJ-MG-001-0004",
                    "NJ-MG-001-0005",
                    "NJ-MG-001-0008",
                    "NJ-YJ-01-0004",
                    "NJ-YJ-02-0001",
                    "NJ-DH-2016",
                ),
            ),
        ),
        (138, 45, 45),
    ),
    ArchiveSpec(
        "suzhou",
        _suzhou,
        (
            CollectionSpec(
                "suzhou-garden-archives",
                "苏州园林档案",
                "Suzhou garden archives",
                "苏州古典园林是中国园林艺术的杰出代表。本专题收录拙政园、留园、网师园、沧浪亭等"
                "园林的历史照片、测绘图和匾额楹联档案。",
                tuple(
                    f"SZ-YL-{index:03d}-{part:04d}"
                    for index in range(1, len(SUZHOU_GARDENS) + 1)
                    for part in (1, 3)
                ),
            ),
        ),
        (46, 110, 90),
    ),
    ArchiveSpec(
        "hami",
        _hami,
        (
            CollectionSpec(
                "visual-hami",
                "视觉哈密",
                "Visual Hami",
                "“视觉哈密”是本馆微博的原创图文栏目，用照片讲述哈密的山川、古迹与民俗。",
                tuple(
                    f"HM-SJ-{theme:02d}-{subject:03d}-0004"
                    for theme, (_, _, subjects) in enumerate(HAMI_THEMES, start=1)
                    for subject in range(1, len(subjects) + 1)
                ),
            ),
        ),
        (176, 120, 50),
    ),
    ArchiveSpec("beijing", _beijing, colour=(150, 40, 40)),
    ArchiveSpec("beijing-shijingshan", _shijingshan, colour=(70, 80, 110)),
    ArchiveSpec("beijing-dongcheng", _dongcheng, colour=(110, 90, 70)),
    ArchiveSpec(
        "kunming",
        _kunming,
        (
            CollectionSpec(
                "southwest-associated-university",
                "西南联大在昆明",
                "The Southwest Associated University in Kunming",
                "1938年至1946年，北大、清华、南开在昆明合组西南联合大学，弦歌不辍。",
                ("KM-LD-0001", "KM-LD-0002", "KM-LD-0003", "KM-LD-0004"),
            ),
        ),
        (60, 100, 150),
    ),
    ArchiveSpec(
        "sichuan",
        _sichuan,
        (
            CollectionSpec(
                "dujiangyan",
                "都江堰岁修档案",
                "Dujiangyan annual repairs",
                "“深淘滩，低作堰”：民国时期都江堰年年岁修的工程档案。",
                ("SC-DJY-1933", *(f"SC-DJY-{year}" for year in range(1936, 1950))),
            ),
        ),
        (90, 60, 120),
    ),
    ArchiveSpec("yancheng", _yancheng, colour=(40, 110, 140)),
    *(
        ArchiveSpec(slug, (lambda nodes=nodes: nodes), colour=(100, 100, 100))
        for slug, nodes in _nanjing_districts().items()
    ),
)


def demo_catalog_nodes() -> dict[str, list[Node]]:
    """The whole demo tree, by archive slug (for tests and the benchmark's word lists)."""
    return {spec.slug: spec.build() for spec in ARCHIVES}


# Loading ---------------------------------------------------------------------------------------


@dataclasses.dataclass
class ArchiveOutcome:
    slug: str
    created: int = 0
    existing: int = 0
    images: int = 0
    collections: int = 0
    by_access: dict[str, int] = dataclasses.field(default_factory=dict)
    closed: int = 0
    conflicts: list[str] = dataclasses.field(default_factory=list)

    def __str__(self) -> str:
        access = ", ".join(f"{count} {level}" for level, count in sorted(self.by_access.items()))
        text = (
            f"{self.slug}: {self.created} descriptions created, {self.existing} already there"
            f" ({access}; {self.closed} under a closure date); {self.collections} featured"
            f" collections created; {self.images} images added"
        )
        if self.conflicts:
            text += f"; left alone (not demo data): {', '.join(self.conflicts)}"
        return text


@dataclasses.dataclass
class DemoCatalogReport:
    archives: list[ArchiveOutcome] = dataclasses.field(default_factory=list)
    missing: list[str] = dataclasses.field(default_factory=list)
    images_skipped: str = ""

    @property
    def created(self) -> int:
        return sum(outcome.created for outcome in self.archives)

    @property
    def existing(self) -> int:
        return sum(outcome.existing for outcome in self.archives)

    def lines(self) -> list[str]:
        lines = [str(outcome) for outcome in self.archives]
        if self.missing:
            lines.append(f"skipped (no such demo archive): {', '.join(self.missing)}")
        if self.images_skipped:
            lines.append(f"images skipped: {self.images_skipped}")
        lines.append(
            f"total: {self.created} demo descriptions created, {self.existing} already there"
        )
        return lines


def demo_catalog_load(
    *, with_images: bool = True, only: Iterable[str] | None = None
) -> DemoCatalogReport:
    """Create the demo catalog in every demo archive that exists (``only``: these slugs)."""
    wanted = set(only) if only is not None else None
    specs = [spec for spec in ARCHIVES if wanted is None or spec.slug in wanted]
    archives = {
        archive.slug: archive
        for archive in Archive.objects.filter(
            slug__in=[spec.slug for spec in specs], is_demo=True
        ).select_related("region")
    }
    if not archives:
        raise DemoCatalogError(
            "there are no demo archives to fill (nanjing, suzhou, hami, …); "
            "run `python manage.py load_paper_survey` first"
        )
    report = DemoCatalogReport()
    add_image = getattr(services, "digital_object_add", None) if with_images else None
    if with_images and add_image is None:
        report.images_skipped = "catalog.services has no digital_object_add yet"
    elif not with_images:
        report.images_skipped = "--no-images"
    for spec in specs:
        archive = archives.get(spec.slug)
        if archive is None:
            report.missing.append(spec.slug)
            continue
        report.archives.append(_load_archive(spec, archive, add_image))
    return report


@transaction.atomic
def _load_archive(
    spec: ArchiveSpec, archive: Archive, add_image: Callable | None
) -> ArchiveOutcome:
    outcome = ArchiveOutcome(spec.slug)
    existing = {d.reference_code: d for d in Description.objects.filter(archive=archive)}
    images: dict[str, DigitalObject] = {}
    for position, root in enumerate(spec.build(), start=1):
        _load_node(archive, None, root, position, existing, outcome, spec, add_image, images)
    for position, collection in enumerate(spec.collections, start=1):
        _load_collection(archive, collection, position, existing, images, outcome)
    return outcome


def _load_node(
    archive: Archive,
    parent: Description | None,
    node: Node,
    position: int,
    existing: dict[str, Description],
    outcome: ArchiveOutcome,
    spec: ArchiveSpec,
    add_image: Callable | None,
    images: dict[str, DigitalObject],
) -> None:
    description = existing.get(node.code)
    if description is None:
        description = services.description_create(
            actor=None, archive=archive, parent=parent, **node.values(position)
        )
        existing[node.code] = description
        outcome.created += 1
    elif not description.is_demo:
        outcome.conflicts.append(node.code)  # a real description: never build demo data on it
        return
    else:
        outcome.existing += 1
    level = description.effective_access
    outcome.by_access[level] = outcome.by_access.get(level, 0) + 1
    outcome.closed += description.effective_closed_until is not None
    if node.image and add_image is not None and level != Access.CONFIDENTIAL:
        first = description.digital_objects.first()
        if first is None:
            first = add_image(
                actor=None,
                description=description,
                content=placeholder_jpeg(
                    reference_code=node.code, title=node.title_en or node.code, colour=spec.colour
                ),
                original_name=f"{node.code}.jpg",
                caption=f"{node.title}（演示占位图 / demo placeholder）",
            )
            outcome.images += 1
        images[node.code] = first
    for child_position, child in enumerate(node.children, start=1):
        _load_node(
            archive, description, child, child_position, existing, outcome, spec, add_image, images
        )


def _load_collection(
    archive: Archive,
    spec: CollectionSpec,
    position: int,
    existing: dict[str, Description],
    images: dict[str, DigitalObject],
    outcome: ArchiveOutcome,
) -> None:
    if FeaturedCollection.objects.filter(archive=archive, slug=spec.slug).exists():
        return
    collection = services.collection_create(
        actor=None,
        archive=archive,
        slug=spec.slug,
        title=spec.title,
        title_en=spec.title_en,
        introduction=f"{spec.introduction}\n{DEMO_NOTE}",
        region=archive.region,
        position=position,
    )
    entries = [existing[code] for code in spec.codes if code in existing]
    services.collection_set_entries(actor=None, collection=collection, descriptions=entries)
    cover = next(
        (
            images[entry.reference_code]
            for entry in entries
            if entry.reference_code in images and entry.effective_access == Access.OPEN
        ),
        None,
    )
    if cover is not None:
        services.collection_update(actor=None, collection=collection, cover=cover)
    outcome.collections += 1


def placeholder_jpeg(*, reference_code: str, title: str, colour: tuple[int, int, int]) -> bytes:
    """A plainly-labelled placeholder photograph (ASCII text only, so no CJK font is needed)."""
    from PIL import Image, ImageDraw, ImageFont

    width, height = 960, 640
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    lighter = tuple(min(255, channel + 24) for channel in colour)
    for offset in range(0, width + height, 48):
        draw.line([(offset, 0), (offset - height, height)], fill=lighter, width=14)
    draw.rectangle([24, 24, width - 25, height - 25], outline=(255, 255, 255), width=4)

    def font(size: int):
        try:
            return ImageFont.load_default(size=size)
        except (TypeError, OSError):  # Pillow without FreeType: the small bitmap font
            return ImageFont.load_default()

    y = 150
    for line in textwrap.wrap(title, width=34)[:3]:
        draw.text((64, y), line, fill=(255, 255, 255), font=font(46))
        y += 62
    draw.text((64, y + 24), reference_code, fill=(255, 255, 255), font=font(32))
    draw.text(
        (64, height - 100), "ARCHIVOX DEMO - placeholder image", fill=(255, 255, 255), font=font(26)
    )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()
