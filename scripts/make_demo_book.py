"""Build the demo case book at the repository root, through hotline's own code.

Fictional people, and anonymised example callers from the two seed documents (the
gender-issues line's factory workers; the 12355 youth line's students). Every case is
taken in, referred, followed up and closed with the library's own actions in a
scratch book with real git, then the book's files are copied here to be committed
once.  Run from the repository root:  python scripts/make_demo_book.py
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hotline.writes import actions  # noqa: E402
from hotline.trust import privacy
from hotline.book import Book  # noqa: E402
from hotline.writes.setup import init_book  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")

ROSTER = """\
# Demo roster — fictional people. The committee and four groups follow the 12355 line's
# rules (a leader and two deputies per group); the partners are the kind a city line refers to.
# Only 徐晴 (xu)'s private key ships with the demo (demo/identity.txt), so
# `HOTLINE_IDENTITY=demo/identity.txt hotline --as xu show CASE --reveal` works.

groups:
  - id: g1
    name: 一组
  - id: g2
    name: 二组
  - id: g3
    name: 三组
  - id: g4
    name: 四组

people:
  - id: shi
    name: 石志远
    group: g1
    roles: [director, leader]
    email: shi@demo.hotline.invalid
    phone: "13900000001"
    key: {k_shi}
  - id: zhu
    name: 朱雅琴
    group: g2
    roles: [deputy_director, deputy_leader]
    email: zhu@demo.hotline.invalid
    phone: "13900000002"
  - id: xu
    name: 徐晴
    group: g3
    roles: [secretary, leader]
    email: xu@demo.hotline.invalid
    phone: "13900000003"
    key: {k_xu}
  - id: wei
    name: 魏莉
    roles: [deputy_director]
    email: wei@demo.hotline.invalid
  - id: wangc
    name: 王聪
    group: g1
    roles: [deputy_leader]
  - id: duan
    name: 段文
    group: g1
    roles: [volunteer]
  - id: hao
    name: 郝佩
    group: g1
    roles: [volunteer]
  - id: liub
    name: 刘斌
    group: g2
    roles: [leader]
    key: {k_liub}
  - id: yang
    name: 杨海
    group: g2
    roles: [deputy_leader]
  - id: jia
    name: 贾红
    group: g2
    roles: [volunteer]
  - id: zhou
    name: 周英
    group: g3
    roles: [deputy_leader]
  - id: mal
    name: 马丽
    group: g3
    roles: [volunteer]
  - id: mam
    name: 马明
    group: g3
    roles: [volunteer]
  - id: chen
    name: 陈明
    group: g4
    roles: [leader]
  - id: liuf
    name: 刘峰
    group: g4
    roles: [deputy_leader]
  - id: shen
    name: 沈兰
    group: g4
    roles: [volunteer]
  - id: yan
    name: 严霞
    group: g4
    roles: [volunteer]
    active: true

partners:
  - id: legal-aid
    name: 市法律援助中心
    kind: external
    contact: "0370-0000100"
  - id: womens-federation
    name: 市妇联维权部
    kind: external
    contact: "0370-0000101"
  - id: police
    name: 辖区派出所
    kind: external
    contact: "110"
  - id: hospital
    name: 市第四人民医院心理科
    kind: external
    contact: "0370-0000102"
  - id: labour
    name: 市劳动监察大队
    kind: external
    contact: "12333"
  - id: supervision
    name: 热线督导组
    kind: internal
"""

# (when, owner, channel, grade, role, categories, needs, gender, age, region, occupation, summary,
#  personal (name, contact) or None, consent, events [(days after, "HH:MM", type, arg)])
CASES = [
    ("2026-10-08 10:20", "duan", "wechat", "green", "party", ["relationship_dispute"], ["consultation"], "female", "youth",
     "惠州", "钟表厂员工", "刚认识不久的男士忽冷忽热，对方及其朋友误以为两人是男女朋友，来电者不知如何澄清。",
     ("周女士", "13800000101"), True, [(0, "15:40", "close", "resolved")]),
    ("2026-10-09 14:10", "hao", "phone", "green", "relative", ["parent_child", "family_dispute"], ["consultation", "emotional_support"],
     "female", "youth", "清远", "鞋厂员工", "两岁半的女儿对冰箱开关等声音特别敏感，担心是父母吵架吓到了孩子。",
     ("吴女士", "13800000102"), True, [(0, "16:30", "close", "resolved")]),
    ("2026-10-10 15:00", "wangc", "qq", "green", "party", ["family_dispute"], ["emotional_support"], "female", "adult",
     "福建", "制衣厂员工", "被同事冤枉踢坏厕所阀门，争吵后对方告到厂长处，厂长要警告并通报全厂，来电者觉得小题大做。",
     None, True, [(3, "11:00", "close", "resolved")]),
    ("2026-10-12 10:40", "shi", "phone", "gray", "survivor", ["domestic_violence", "infidelity"], ["legal", "help"], "female", "youth",
     "东莞", "制衣厂员工", "丈夫在外与他人生子；怀孕四五个月时争吵，公公动手打人并将其赶出家门。孩子出生后询问起诉程序。",
     ("郑女士", "13800000104"), True,
     [(0, "16:00", "refer", "legal-aid"), (4, "10:00", "followup", "法援律师已约见"), (8, "15:00", "close", "resolved"),
      (30, "10:00", "revisit", "已立案，情绪平稳")]),
    ("2026-10-13 11:05", "jia", "web", "green", "party", ["employment_discrimination"], ["legal"], "female", "youth",
     "商丘", "求职者", "面试时被问婚育计划，被告知已婚未育不予录用，询问是否属于就业歧视。", None, False,
     [(0, "16:10", "close", "resolved")]),
    ("2026-10-14 16:45", "yang", "phone", "red", "survivor", ["domestic_violence"], ["crisis", "help"], "female", "adult",
     "商丘", "", "丈夫酒后持刀威胁，来电者躲在邻居家，情绪激动。", ("孙女士", "13800000106"), False,
     [(0, "16:55", "followup", "已建议报警并联系妇联"), (0, "17:10", "refer", "police"), (1, "10:00", "followup", "派出所已出警调解"),
      (6, "15:00", "close", "resolved"), (36, "10:00", "revisit", "已搬离，安全")]),
    ("2026-10-15 14:30", "xu", "phone", "green", "party", ["study_stress"], ["emotional_support"], "male", "teen",
     "商丘", "初三学生", "临近期中考试失眠，担心考不好让父母失望。", None, True, [(0, "15:20", "close", "resolved")]),
    ("2026-10-16 15:10", "mal", "phone", "green", "relative", ["parent_child"], ["consultation"], "female", "adult",
     "商丘", "", "母亲来电：初二儿子沉迷手机，一收手机就摔门。", None, False, [(0, "16:40", "close", "resolved")]),
    ("2026-10-17 09:00", "mam", "phone", "red", "party", ["self_harm_suicide", "emotion"], ["crisis"], "female", "teen",
     "商丘", "高一学生", "来电者说不想活了，已写好遗书；值班员稳定情绪，取得联系方式并通知组长。", ("小林", "13800000109"), False,
     [(0, "09:25", "followup", "稳定情绪，约定次日回电"), (0, "10:30", "refer", "hospital"), (3, "10:00", "followup", "已在医院心理科就诊"),
      (9, "16:00", "close", "resolved")]),
    ("2026-10-19 10:15", "chen", "email", "gray", "survivor", ["workplace_sexual_harassment"], ["legal", "help"], "female", "youth",
     "东莞", "电子厂员工", "车间主管多次言语骚扰并以调岗相要挟，想知道如何取证和投诉。", ("何女士", "hexx@example.invalid"), False,
     [(1, "10:00", "refer", "womens-federation"), (7, "10:00", "followup", "妇联已联系厂方"), (12, "14:00", "close", "resolved")]),
    ("2026-10-20 14:50", "liuf", "phone", "green", "bystander", ["cold_violence"], ["consultation"], "male", "adult",
     "商丘", "", "看到邻居长期不跟妻子说话、不给生活费，问这算不算家暴。", None, False, [(1, "10:00", "close", "resolved")]),
    ("2026-10-21 15:30", "shen", "wechat", "green", "party", ["peer_relationship"], ["emotional_support"], "female", "teen",
     "商丘", "初一学生", "被好朋友拉黑，觉得全班都在孤立自己。", None, True, [(0, "17:00", "close", "resolved")]),
    ("2026-10-22 11:20", "zhou", "phone", "gray", "party", ["wages_social_security"], ["legal"], "male", "adult",
     "惠州", "建筑工人", "工地拖欠三个月工资，老板失联，询问如何讨薪。", ("冯先生", "13800000113"), False,
     [(2, "10:00", "refer", "labour"), (16, "10:00", "followup", "劳动监察已受理"), (20, "15:00", "close", "unresolved", "老板仍失联，已转入仲裁程序")]),
    ("2026-10-23 16:05", "duan", "letter", "green", "relative", ["adolescence"], ["consultation"], "female", "adult",
     "商丘", "", "来信：女儿十三岁开始早恋，家长不知如何沟通。", None, False, [(3, "11:00", "close", "resolved")]),
    ("2026-10-26 10:30", "jia", "phone", "gray", "survivor", ["divorce", "domestic_violence"], ["legal"], "female", "adult",
     "清远", "", "长期遭受丈夫殴打，想离婚但担心孩子抚养权。", ("钱女士", "13800000115"), False,
     [(1, "09:30", "refer", "legal-aid"), (14, "10:00", "followup", "律师已代写起诉状")]),
    ("2026-10-28 14:00", "hao", "qq", "green", "party", ["sexual_harassment"], ["emotional_support", "consultation"], "female", "youth",
     "东莞", "工厂员工", "下班路上被陌生人尾随搭讪，很害怕。", None, False, [(0, "15:00", "close", "resolved")]),
    ("2026-10-30 15:45", "mal", "phone", "green", "party", ["study_stress", "emotion"], ["emotional_support"], "male", "teen",
     "商丘", "高三学生", "月考退步二十名，父亲说再退步就不让上学。", None, False, [(5, "10:00", "close", "resolved")]),
    # November
    ("2026-11-02 10:10", "wangc", "phone", "green", "party", ["study_stress"], ["emotional_support"], "female", "teen",
     "商丘", "初三学生", "期中考试后情绪低落，觉得自己什么都做不好。", ("小陈", "13800000118"), True, [(0, "15:00", "close", "resolved")]),
    ("2026-11-03 14:40", "duan", "wechat", "gray", "survivor", ["domestic_violence"], ["help", "legal"], "female", "youth",
     "东莞", "制衣厂员工", "被公公殴打后回娘家，丈夫不闻不问，想申请人身安全保护令。", ("郑女士", "13800000104"), False,
     [(1, "10:00", "refer", "womens-federation"), (9, "10:00", "followup", "妇联陪同申请保护令"), (12, "16:00", "close", "resolved")]),
    ("2026-11-04 16:20", "yang", "phone", "red", "relative", ["self_harm_suicide"], ["crisis"], "female", "adult",
     "商丘", "", "母亲发现女儿手臂有划痕，孩子拒绝沟通，来电者非常焦急。", ("李女士", "13800000120"), False,
     [(0, "17:30", "followup", "指导家长陪伴，约定次日转介"), (1, "10:00", "refer", "hospital"), (9, "10:00", "followup", "已就诊")]),
    ("2026-11-05 11:30", "zhou", "phone", "green", "party", ["marriage_interference"], ["consultation"], "female", "youth",
     "惠州", "钟表厂员工", "父母反对与外省男友结婚，扣留户口本。", None, True, [(0, "16:00", "close", "resolved")]),
    ("2026-11-06 15:15", "chen", "web", "green", "party", ["gender_discrimination"], ["consultation"], "female", "youth",
     "商丘", "文员", "单位评优只给男同事，女员工被告知“反正要回家带孩子”。", None, False, [(3, "10:30", "close", "resolved")]),
    ("2026-11-09 10:00", "shen", "phone", "green", "party", ["peer_relationship"], ["emotional_support"], "male", "teen",
     "商丘", "初二学生", "被同学起外号，不想去学校。", None, False, [(0, "14:00", "close", "resolved")]),
    ("2026-11-10 14:20", "liub", "phone", "gray", "party", ["female_worker_protection"], ["legal"], "female", "youth",
     "福建", "制衣厂员工", "怀孕后被安排夜班和搬运重物，申请调岗被拒。", ("林女士", "13800000124"), False,
     [(1, "10:00", "refer", "labour")]),
    ("2026-11-11 09:40", "mam", "phone", "red", "survivor", ["domestic_violence"], ["crisis"], "female", "adult",
     "商丘", "", "丈夫刚动手打人，来电者带孩子躲在楼道。", ("赵女士", "13800000125"), False,
     [(0, "09:50", "followup", "指导报警，确认安全"), (0, "10:20", "refer", "police")]),
    ("2026-11-12 15:50", "hao", "wechat", "green", "party", ["emotion"], ["emotional_support"], "female", "youth",
     "清远", "鞋厂员工", "一个人在外打工，晚上常常失眠想哭。", None, True, [(0, "16:50", "close", "resolved")]),
    ("2026-11-13 10:25", "jia", "phone", "gray", "survivor", ["workplace_sexual_harassment"], ["legal"], "female", "youth",
     "东莞", "电子厂员工", "组长多次借故触碰身体，向人事反映无果。", ("何女士", "hexx@example.invalid"), False,
     [(2, "10:00", "refer", "legal-aid")]),
    ("2026-11-16 14:30", "xu", "phone", "green", "party", ["study_stress"], ["consultation"], "female", "teen",
     "商丘", "高二学生", "选科纠结，父母意见不一。", None, False, [(0, "15:10", "close", "resolved")]),
    ("2026-11-17 11:00", "wangc", "phone", "red", "party", ["self_harm_suicide", "emotion"], ["crisis"], "male", "teen",
     "商丘", "高一学生", "与父母冲突后离家，在江边给热线打电话。", ("小王", "13800000129"), False,
     [(0, "11:20", "followup", "稳定情绪，联系家长到场"), (0, "12:00", "refer", "hospital"), (1, "10:00", "followup", "家长已陪同就诊"),
      (3, "15:00", "close", "resolved")]),
    ("2026-11-18 16:30", "duan", "phone", "green", "relative", ["parent_child"], ["consultation"], "male", "adult",
     "商丘", "", "父亲来电：孩子厌学，每天早上装病。", None, False, []),
    ("2026-11-19 10:50", "zhou", "email", "gray", "party", ["divorce", "adoption"], ["legal"], "female", "adult",
     "惠州", "", "离婚后想收养亲戚的孩子，咨询收养条件。", None, False, []),
    ("2026-11-20 15:00", "chen", "phone", "green", "party", ["cross_border_marriage"], ["consultation"], "female", "youth",
     "福建", "", "与外籍男友登记结婚需要哪些材料。", None, False, []),
    ("2026-11-20 16:40", "mal", "qq", "green", "party", ["threat"], ["consultation"], "unknown", "unknown",
     "", "", "来电者反复辱骂并威胁值班员，按规程礼貌拒绝后挂断，已报告秘书。", None, False, [(0, "16:50", "close", "resolved")]),
    ("2026-11-21 14:15", "shen", "phone", "green", "party", ["study_stress", "peer_relationship"], ["emotional_support"], "female", "teen",
     "商丘", "初三学生", "周末补课压力大，和同桌闹矛盾。", None, False, []),
    ("2026-11-22 15:30", "hao", "wechat", "gray", "survivor", ["reproductive_rights", "domestic_violence"], ["help"], "female", "youth",
     "东莞", "制衣厂员工", "婆家逼迫生二胎，不从就被辱骂推搡。", ("郑女士", "13800000104"), False, []),
]

# Leaders chase what is late (urge events), as the 12355 rules ask
URGES = [("2026-11-10 14:20", ["2026-11-17 10:00", "2026-11-19 10:00"], "liub")]


# Points entries that do not come from cases (12355 rules): (date, by, kind, person, item, count, amount, note)
LEDGER = [
    ("2026-10-10", "xu", "award", "shi", "lecture_outreach", None, None, "第一中学心理健康讲座"),
    ("2026-10-17", "xu", "award", "zhou", "public_event", None, None, "社区广场心理咨询活动"),
    ("2026-10-20", "xu", "award", "mal", "article_special", 2, None, "特刊两篇"),
    ("2026-10-25", "xu", "award", "liub", "donation", None, 500, "社会捐款"),
    ("2026-10-28", "xu", "penalty", "yan", "late_or_early", None, None, "值班迟到"),
    ("2026-10-30", "xu", "penalty", "jia", "hygiene", None, None, "值班室卫生"),
    ("2026-11-05", "xu", "award", "chen", "lecture_centre", None, None, "中心家长讲座，30人"),
    ("2026-11-08", "xu", "award", "wangc", "article_provincial", None, None, "省报文章"),
    ("2026-11-12", "xu", "award", "duan", "lecture_outreach", None, None, "电子厂女工权益讲座"),
    ("2026-11-14", "xu", "penalty", "yang", "left_post", None, None, "值班时离岗"),
    ("2026-11-19", "xu", "award", "xu", "tv_interview", None, None, "市电视台采访"),
    ("2026-11-21", "xu", "penalty", "shen", "no_mandarin", None, None, "接线未使用普通话"),
]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def build(tmp: Path) -> Path:
    os.environ["HOTLINE_IDENTITY"] = str(tmp / "xu-identity.txt")
    book_dir = tmp / "book"
    init_book(book_dir, "xu", "徐晴")
    keys = {}
    for pid in ("shi", "liub"):
        _, keys[pid] = privacy.new_identity(tmp / f"{pid}.txt")
    keys["xu"] = privacy.public_key(privacy.load_identity())
    (book_dir / "roster.yaml").write_text(ROSTER.format(k_shi=keys["shi"], k_xu=keys["xu"], k_liub=keys["liub"]),
                                          encoding="utf-8")
    subprocess.run(["git", "commit", "-qam", "demo roster"], cwd=book_dir, check=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "徐晴", "GIT_AUTHOR_EMAIL": "xu@demo.hotline.invalid",
                        "GIT_COMMITTER_NAME": "徐晴", "GIT_COMMITTER_EMAIL": "xu@demo.hotline.invalid"})
    ident = privacy.load_identity()
    received_to_id = {}
    for (when, owner, channel, grade, role, cats, needs, gender, age, region, occ, summary, personal, consent, events) in CASES:
        book = Book(book_dir, acting=owner)
        name, contact = personal or ("", "")
        res = actions.intake(book, actions.IntakeInput(
            channel=channel, grade=grade, role=role, categories=cats, needs=needs, summary=summary, gender=gender,
            age_group=age, region=region, occupation=occ, name=name, contact=contact, owner=owner,
            consent_publish=consent, at=at(when)), ident)
        cid = res.case.id
        received_to_id[when] = cid
        start = at(when)
        for ev in events:
            days, hhmm, typ, *args = ev
            t = (start + timedelta(days=days)).replace(hour=int(hhmm[:2]), minute=int(hhmm[3:]))
            if typ == "close":
                actions.close(book, cid, args[0], reason=args[1] if len(args) > 1 else "", at=t)
            elif typ == "refer":
                actions.refer(book, cid, args[0], at=t)
            elif typ == "followup":
                actions.followup(book, cid, args[0], at=t)
            elif typ == "revisit":
                actions.followup(book, cid, args[0], revisit=True, at=t)
    for day, by, kind, person, item, count, amount, note in LEDGER:
        actions.record_points(Book(book_dir, acting=by), kind, person, item, date.fromisoformat(day), count, amount, note)
    for when, urges, leader in URGES:
        for u in urges:
            actions.urge(Book(book_dir, acting=leader), received_to_id[when], "请尽快反馈", at=at(u))
    return book_dir


def main() -> None:
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        book_dir = build(tmp)
        for sub in ("cases", "keys"):
            if (ROOT / sub).exists():
                shutil.rmtree(ROOT / sub)
            shutil.copytree(book_dir / sub, ROOT / sub)
        for f in ("roster.yaml", "rules.yaml"):
            shutil.copyfile(book_dir / f, ROOT / f)
        (ROOT / "templates").mkdir(exist_ok=True)
        for f in (book_dir / "templates").iterdir():
            shutil.copyfile(f, ROOT / "templates" / f.name)
        if (ROOT / "ledger").exists():
            shutil.rmtree(ROOT / "ledger")
        shutil.copytree(book_dir / "ledger", ROOT / "ledger")
        (ROOT / "demo").mkdir(exist_ok=True)
        ident = (tmp / "xu-identity.txt").read_text(encoding="utf-8")
        (ROOT / "demo" / "identity.txt").write_text(
            "# DEMO ONLY: the private key of the fictional secretary 徐晴 (xu) of the demo book.\n"
            "# It exists so a newcomer can try `show --reveal`. Never use it for a real book.\n" + ident,
            encoding="utf-8")
    print(f"demo book written: {len(CASES)} cases")


if __name__ == "__main__":
    main()
