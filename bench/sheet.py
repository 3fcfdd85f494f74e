"""A synthetic register for the import benchmark: a line's Excel sheet of `n` cases with Chinese
headers (a title row above them), labels as a secretary types them, dates as date cells and as
text, phone numbers as numbers, about a third of the rows with a caller's name and contact, and
referrals and closures — plus, when asked, a few bad cells whose row and column are known.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

HEADERS = ["序号", "受理时间", "渠道", "分级", "来电者身份", "问题类别", "需求", "摘要", "回应", "姓名", "联系方式", "地区",
           "性别", "年龄段", "负责人", "转介机构", "转介时间", "结案时间", "结果", "未解决原因"]
CHANNELS = ["电话", "微信", "QQ", "网页", "电子邮件", "来访"]
GRADES = ["绿色", "绿色", "绿色", "绿色", "红色", "灰色", "灰色"]
ROLES = ["幸存者", "当事人", "旁观者", "亲属", "其他"]
CATEGORIES = ["家庭暴力", "离婚", "家庭纠纷", "性骚扰", "冷暴力", "就业歧视", "工资与社保", "情绪问题", "亲子关系", "学习压力"]
NEEDS = ["情绪疏导", "寻求帮助", "问题咨询", "法律咨询", "危机干预"]
REGIONS = ["商丘", "东莞", "惠州", "清远", "广州市天河区", ""]
PARTNERS = ["市法律援助中心", "市医院心理科", "市妇联"]
# (data row offset, column header, a bad value); the fixed sheet is the same sheet without them
BAD = [(11, "分级", "绿"), (480, "受理时间", "2026-02-30 10:00"), (1999, "摘要", "请回电 13912345678"),
       (3333, "负责人", "张三"), (4998, "问题类别", "家暴")]


def _row(rng: random.Random, i: int, when: datetime, owners: list[str]) -> list:
    grade = rng.choice(GRADES)
    cats = "、".join(rng.sample(CATEGORIES, rng.choice([1, 1, 2])))
    needs = "，".join(rng.sample(NEEDS, rng.choice([1, 1, 2])))
    personal = rng.random() < 0.3
    row = [i, when if rng.random() < 0.7 else when.strftime("%Y/%m/%d %H:%M"), rng.choice(CHANNELS), grade,
           rng.choice(ROLES), cats, needs, f"来电者咨询{cats}相关问题（第{i}例）", "值班员给予解答和情绪支持",
           f"来电者{i}" if personal else None, 13800000000 + i if personal else None, rng.choice(REGIONS),
           rng.choice(["女", "女", "男", "未知"]), rng.choice(["青年", "成年", "青少年", "未知", 25, 42]),
           rng.choice(owners), None, None, None, None, None]
    t = when + timedelta(hours=rng.uniform(0.5, 20))
    if grade != "绿色" and rng.random() < 0.6:
        row[15], row[16] = rng.choice(PARTNERS), t
        t += timedelta(days=rng.uniform(1, 6))
    if rng.random() < 0.85:
        resolved = rng.random() < 0.85
        row[17], row[18], row[19] = t, "已解决" if resolved else "未能解决", None if resolved else "来电者失联"
    return row


def make(path: Path, n: int, owners: list[str], seed: int = 17, bad: bool = True,
         end: datetime = datetime(2026, 10, 31, 18, 0)) -> list[tuple[int, str]]:
    """Write the sheet; return the (row, column letter) of each bad cell (none when `bad` is false)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    rng = random.Random(seed)
    start = end - timedelta(days=max(30, n // 15))
    span = int((end - start).total_seconds())
    times = sorted(start + timedelta(seconds=rng.randrange(span)) for _ in range(n))
    rows = [_row(rng, i, t.replace(second=0, microsecond=0), owners) for i, t in enumerate(times, 1)]
    cells = []
    for offset, header, wrong in BAD if bad else []:
        col = HEADERS.index(header)
        if offset < n:
            rows[offset][col] = wrong
            cells.append((offset + 3, get_column_letter(col + 1)))  # a title row and the header row above
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("2026年个案登记")
    ws.append(["某某热线个案登记表（2026年）"])
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return cells
