"""The one personal-data detector (hotline/domain/detect.py): what it finds, what it leaves
alone, positions in the text as typed (full-width and all), and redaction."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.domain.anonymise import scrub
from hotline.domain.detect import KINDS, MARK, Finding, find, normalise_width, redact

# ---------------------------------------------------------------- found: (text, kind, the exact match)

FOUND = [
    # mobile
    ("来电人手机13812345678，要求回电", "mobile", "13812345678"),
    ("手机 138 1234 5678", "mobile", "138 1234 5678"),
    ("请拨138-1234-5678联系本人", "mobile", "138-1234-5678"),
    ("号码是138.1234.5678", "mobile", "138.1234.5678"),
    ("138/1234/5678 是她丈夫的", "mobile", "138/1234/5678"),
    ("留了 +86 138 1234 5678", "mobile", "+86 138 1234 5678"),
    ("+8613812345678（本人）", "mobile", "+8613812345678"),
    ("国外亲属打来：0086-138-1234-5678", "mobile", "0086-138-1234-5678"),
    ("(+86)139 8765 4321", "mobile", "(+86)139 8765 4321"),
    ("手机１３８１２３４５６７８", "mobile", "１３８１２３４５６７８"),
    ("１３８－１２３４－５６７８请回电", "mobile", "１３８－１２３４－５６７８"),
    ("手机　１３８　１２３４　５６７８", "mobile", "１３８　１２３４　５６７８"),
    ("电话 186 2000 1234 晚上打", "mobile", "186 2000 1234"),
    ("外地打来加拨0：013812345678", "mobile", "013812345678"),
    ("她说1591234 5678可以加", "mobile", "1591234 5678"),
    ("电话：177－0000－1111。", "mobile", "177－0000－1111"),
    ("手机号 199 1234 5678，晚上可接", "mobile", "199 1234 5678"),
    ("手机 138 - 1234 - 5678 (本人)", "mobile", "138 - 1234 - 5678"),
    ("备用145—1234—5678", "mobile", "145—1234—5678"),
    ("微信 13812345678", "mobile", "13812345678"),  # an id that is a phone number: the more specific kind
    # landline
    ("单位电话0769-22334455", "landline", "0769-22334455"),
    ("家里 0769/2233/4455", "landline", "0769/2233/4455"),
    ("（0769）2233 4455 找李主任", "landline", "（0769）2233 4455"),
    ("厂办 (0769) 2233 4455", "landline", "(0769) 2233 4455"),
    ("打到020-12345678", "landline", "020-12345678"),
    ("北京 010 8888 6666", "landline", "010 8888 6666"),
    ("深圳 +86 755 8888 6666", "landline", "+86 755 8888 6666"),
    ("座机：2233 4455", "landline", "2233 4455"),
    ("电话是22334455", "landline", "22334455"),
    ("tel 8765-4321", "landline", "8765-4321"),
    ("宿舍０７６９－２２３３４４５５", "landline", "０７６９－２２３３４４５５"),
    ("07552233445找人事", "landline", "07552233445"),
    # id_number
    ("身份证44190019900101123X", "id_number", "44190019900101123X"),
    ("身份证号 44190019900101123x，已核实", "id_number", "44190019900101123x"),
    ("证件 441900 19900101 123X", "id_number", "441900 19900101 123X"),
    ("证件号４４１９００１９９００１０１１２３Ｘ", "id_number", "４４１９００１９９００１０１１２３Ｘ"),
    ("身份证 110101-19851231-0012", "id_number", "110101-19851231-0012"),
    # email
    ("邮箱 zhang@qq.com", "email", "zhang@qq.com"),
    ("邮箱zhang＠qq.com。", "email", "zhang＠qq.com"),
    ("发到 li.si+hotline@mail.example.org.cn 即可", "email", "li.si+hotline@mail.example.org.cn"),
    ("邮箱ｚｈａｎｇ＠ｑｑ．ｃｏｍ", "email", "ｚｈａｎｇ＠ｑｑ．ｃｏｍ"),
    ("wang_99@163.com是她的邮箱", "email", "wang_99@163.com"),
    ("邮箱zhang@qq。com", "email", "zhang@qq。com"),
    ("QQ邮箱 12345678@qq.com", "email", "12345678@qq.com"),  # the e-mail, not the QQ number in it
    # account: the id only, the word stays
    ("微信：zhang_123", "account", "zhang_123"),
    ("微信号 abc-123", "account", "abc-123"),
    ("加了vx abc123", "account", "abc123"),
    ("VX:Li_Hua88", "account", "Li_Hua88"),
    ("wx号：hua-2026", "account", "hua-2026"),
    ("QQ 123456789", "account", "123456789"),
    ("qq号：12345", "account", "12345"),
    ("QQ：１２３４５６７８", "account", "１２３４５６７８"),
    ("ＱＱ号：２２３３４４５５６", "account", "２２３３４４５５６"),
    ("微信号是 wxid_abcd1234", "account", "wxid_abcd1234"),
    ("WeChat: LiHua_2000", "account", "LiHua_2000"),
    ("扣扣88889999", "account", "88889999"),
    ("QQ123456789", "account", "123456789"),
    # bank_card
    ("工资卡 6222 0212 3456 7890 123", "bank_card", "6222 0212 3456 7890 123"),
    ("卡号6222021234567890123", "bank_card", "6222021234567890123"),
    ("转到6228-4800-1234-5678", "bank_card", "6228-4800-1234-5678"),
    ("银行卡：6217 0000 1234 5678", "bank_card", "6217 0000 1234 5678"),
    ("卡号 6222 0212 3456 7890 12", "bank_card", "6222 0212 3456 7890 12"),  # 18 digits, no birth date
]

# ---------------------------------------------------------------- walking around the detector (issue 22, 8)

ZW = "\u200b"  # zero-width space
EVASIONS = [
    # invisible characters between the digits
    (f"回电 138{ZW}1234{ZW}5678", "mobile", f"138{ZW}1234{ZW}5678"),
    (f"手机{ZW.join('13812345678')}", "mobile", ZW.join("13812345678")),
    ("138\u200d1234\u200c5678\u2060", "mobile", "138\u200d1234\u200c5678"),
    ("电话1\u00ad3\u00ad8\ufeff1234\u202e5678", "mobile", "1\u00ad3\u00ad8\ufeff1234\u202e5678"),
    ("1\ufe0f\u20e33\ufe0f\u20e38\ufe0f\u20e31234 5678", "mobile", "1\ufe0f\u20e33\ufe0f\u20e38\ufe0f\u20e31234 5678"),
    # line breaks or a separator between every digit
    ("电话：138\n1234\n5678，晚上打", "mobile", "138\n1234\n5678"),
    ("138\r\n1234\r\n5678", "mobile", "138\r\n1234\r\n5678"),
    ("\n".join("13812345678"), "mobile", "\n".join("13812345678")),
    ("号码 1-3-8-1-2-3-4-5-6-7-8", "mobile", "1-3-8-1-2-3-4-5-6-7-8"),
    ("1 3 8 1 2 3 4 5 6 7 8 是他的", "mobile", "1 3 8 1 2 3 4 5 6 7 8"),
    ("1.3.8.1.2.3.4.5.6.7.8", "mobile", "1.3.8.1.2.3.4.5.6.7.8"),
    ("1_3_8_1_2_3_4_5_6_7_8", "mobile", "1_3_8_1_2_3_4_5_6_7_8"),
    ("1*3*8*1*2*3*4*5*6*7*8", "mobile", "1*3*8*1*2*3*4*5*6*7*8"),
    ("1、3、8、1、2、3、4、5、6、7、8", "mobile", "1、3、8、1、2、3、4、5、6、7、8"),
    ("138|1234|5678", "mobile", "138|1234|5678"),
    ("138～1234～5678", "mobile", "138～1234～5678"),
    ("138 ★ 1234 ★ 5678", "mobile", "138 ★ 1234 ★ 5678"),
    # words between the groups
    ("手机 138 转 1234 转 5678", "mobile", "138 转 1234 转 5678"),
    ("号码138，后面是1234，最后是5678", "mobile", "138，后面是1234，最后是5678"),
    ("call 138 then 1234 then 5678", "mobile", "138 then 1234 then 5678"),
    ("1381234（中间）5678", "mobile", "1381234（中间）5678"),
    ("138 空格 12345678", "mobile", "138 空格 12345678"),
    # other digit scripts and look-alikes
    ("١٣٨١٢٣٤٥٦٧٨", "mobile", "١٣٨١٢٣٤٥٦٧٨"),            # Arabic-Indic
    ("۱۳۸۱۲۳۴۵۶۷۸", "mobile", "۱۳۸۱۲۳۴۵۶۷۸"),            # extended Arabic-Indic
    ("१३८१२३४५६७८", "mobile", "१३८१२३४५६७८"),            # Devanagari
    ("𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖", "mobile", "𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖"),      # mathematical bold
    ("𝟙𝟛𝟠𝟙𝟚𝟛𝟜𝟝𝟞𝟟𝟠", "mobile", "𝟙𝟛𝟠𝟙𝟚𝟛𝟜𝟝𝟞𝟟𝟠"),      # double-struck
    ("𝟷𝟹𝟾 𝟷𝟸𝟹𝟺 𝟻𝟼𝟽𝟾", "mobile", "𝟷𝟹𝟾 𝟷𝟸𝟹𝟺 𝟻𝟼𝟽𝟾"),   # monospace
    ("①③⑧①②③④⑤⑥⑦⑧", "mobile", "①③⑧①②③④⑤⑥⑦⑧"),      # circled
    ("❶❸❽❶❷❸❹❺❻❼❽", "mobile", "❶❸❽❶❷❸❹❺❻❼❽"),      # negative circled
    ("➀➂➇➀➁➂➃➄➅➆➇", "mobile", "➀➂➇➀➁➂➃➄➅➆➇"),      # dingbat circled
    ("⑴⑶⑻⑴⑵⑶⑷⑸⑹⑺⑻", "mobile", "⑴⑶⑻⑴⑵⑶⑷⑸⑹⑺⑻"),      # parenthesized
    ("⒈⒊⒏⒈⒉⒊⒋⒌⒍⒎⒏", "mobile", "⒈⒊⒏⒈⒉⒊⒋⒌⒍⒎⒏"),      # with full stop
    ("¹³⁸¹²³⁴⁵⁶⁷⁸", "mobile", "¹³⁸¹²³⁴⁵⁶⁷⁸"),            # superscript
    ("１３８\u200b１２３４\u200b５６７８", "mobile", "１３８\u200b１２３４\u200b５６７８"),
    ("手机138l234567O", "mobile", "138l234567O"),
    ("l38 l234 5678", "mobile", "l38 l234 5678"),
    ("I39 OOOO 1111", "mobile", "I39 OOOO 1111"),
    ("1 3 8 l 2 3 4 5 6 7 O", "mobile", "1 3 8 l 2 3 4 5 6 7 O"),
    ("一三八一二三四五六七八", "mobile", "一三八一二三四五六七八"),
    ("幺三八 幺二三四 五六七八", "mobile", "幺三八 幺二三四 五六七八"),
    ("壹叁捌壹贰叁肆伍陆柒捌", "mobile", "壹叁捌壹贰叁肆伍陆柒捌"),
    ("一三八零零零零一一一一", "mobile", "一三八零零零零一一一一"),
    ("座机零七六九-二二三三四四五五", "landline", "零七六九-二二三三四四五五"),
    ("0769-2233\u200b4455", "landline", "0769-2233\u200b4455"),
    ("电 话：2233 4455", "landline", "2233 4455"),
    ("身份证4419\u200b0019900101123X", "id_number", "4419\u200b0019900101123X"),
    ("4 4 1 9 0 0 1 9 9 0 0 1 0 1 1 2 3 X", "id_number", "4 4 1 9 0 0 1 9 9 0 0 1 0 1 1 2 3 X"),
    ("身份证 441900 出生 19900101 尾号 123X", "id_number", "441900 出生 19900101 尾号 123X"),
    ("卡号6222\u200b0212\u200b3456\u200b7890", "bank_card", "6222\u200b0212\u200b3456\u200b7890"),
    ("\n".join("6222021234567890"), "bank_card", "\n".join("6222021234567890")),
    # e-mail with at / (at) / 艾特 / dot / 点
    ("邮箱 zhang at qq dot com", "email", "zhang at qq dot com"),
    ("邮箱 zhang AT 163 DOT com", "email", "zhang AT 163 DOT com"),
    ("zhang(at)qq.com", "email", "zhang(at)qq.com"),
    ("zhang（at）qq。com", "email", "zhang（at）qq。com"),
    ("zhang [at] qq [dot] com", "email", "zhang [at] qq [dot] com"),
    ("zhang{at}gmail{dot}com", "email", "zhang{at}gmail{dot}com"),
    ("zhang<at>example.org", "email", "zhang<at>example.org"),
    ("邮箱zhang艾特qq.com", "email", "zhang艾特qq.com"),
    ("zhang＠qq点com", "email", "zhang＠qq点com"),
    ("zhang @ qq . com", "email", "zhang @ qq . com"),
    ("li.si at example.org", "email", "li.si at example.org"),
    (f"zh{ZW}ang@q{ZW}q.com", "email", f"zh{ZW}ang@q{ZW}q.com"),
    ("ｚｈａｎｇ（ａｔ）ｑｑ．ｃｏｍ", "email", "ｚｈａｎｇ（ａｔ）ｑｑ．ｃｏｍ"),
    # a broken 微 信 / QQ word followed by an id
    ("微 信：zhang_123", "account", "zhang_123"),
    (f"微{ZW}信 zhang_123", "account", "zhang_123"),
    ("微*信号 lihua888", "account", "lihua888"),
    ("威信 lihua888", "account", "lihua888"),
    ("薇信号：lihua888", "account", "lihua888"),
    ("V X: abc12345", "account", "abc12345"),
    ("v.x：abc12345", "account", "abc12345"),
    ("Q Q 123456789", "account", "123456789"),
    ("q q号 12345678", "account", "12345678"),
    ("ｑｑ：１２３４５６７８９", "account", "１２３４５６７８９"),
    ("QQ 1234 5678 9", "account", "1234 5678 9"),
    ("Q-Q：12345\n6789", "account", "12345\n6789"),
    ("扣 扣 88889999", "account", "88889999"),
    ("企鹅号 88889999", "account", "88889999"),
    ("wei xin: lihua88", "account", "lihua88"),
    ("We Chat ID: lihua88", "account", "lihua88"),
    ("QQ号是一二三四五六七八", "account", "一二三四五六七八"),
]


@pytest.mark.parametrize("text,kind,match", EVASIONS, ids=[ascii(t)[1:-1] for t, _, _ in EVASIONS])
def test_evasions_are_found_exactly(text, kind, match):
    assert [(f.kind, f.text) for f in find(text)] == [(kind, match)]
    f = find(text)[0]
    assert text[f.start:f.end] == f.text == match
    assert MARK in redact(text) and match not in redact(text)


@pytest.mark.parametrize("text,kind,match", FOUND, ids=[t for t, _, _ in FOUND])
def test_personal_data_is_found_exactly(text, kind, match):
    assert [(f.kind, f.text) for f in find(text)] == [(kind, match)]
    f = find(text)[0]
    assert text[f.start:f.end] == f.text == match


# ---------------------------------------------------------------- not found: realistic summaries

NOT_FOUND = [
    "2026年11月20日下午3点来电",
    "个案 261120-D5WRT 已转介",
    "见 261120-D5 的跟进",
    "个案 261120-D5WRT、261121-A3B4C 合并处理",
    "捐款350元",
    "工作日10:00-17:00",
    "拨打12355",
    "建议拨打 12345 市民热线",
    "请拨打110报警",
    "已叫120救护车",
    "400-888-8888 是公司客服，没人接",
    "2026-11-20 来电",
    "2026/11/20 复访",
    "2026.11.20 面谈",
    "20261120 已结案",
    "15:30 回访",
    "2026-11-20 15:30-17:00 面谈",
    "2026-11-20 09:00 至 2026-11-21 17:00 住院",
    "2026/11/20-2026/11/25 出差",
    "2026.11.13-2026.11.20 请假",
    "2026-11-20T15:30",
    "开庭时间 2026.12.01 9:30",
    "欠薪 ¥1,200",
    "押金1200.50元未退",
    "索赔3万元，另有1.5万元补偿",
    "3 个月没发工资，欠 5000 元",
    "拖欠 3 个月工资共 15000 元",
    "分别欠150 3000 2000元",
    "3个工作日内答复",
    "20人以上集体讨薪",
    "7天后复访",
    "满意度 95%",
    "2019 年入职，2026 年离职",
    "1999-2005年在厂里",
    "预计 2026-2027 年度",
    "版本 v1.13.2",
    "第13、14、15条",
    "劳动法第44条",
    "身高 165cm 体重 50kg",
    "微信支付350元",
    "QQ群里有人发帖",
    "加了微信，未回复",
    "电话费 1200元",
    "打了 3 次电话",
    "来电时长 45 分钟",
    "工号 A1024，房间号 1203",
    "合同编号 HT-2026-0088",
    "@张老师 请跟进",
    "邮箱未留，微信不用",
    "考试成绩 138 分",
    "路由器 192.168.10.123 连不上",
    # issue 22: ordinary counselling text must pass the stronger detector
    "2026-11-23 来电",
    "2026年11月23日下午来电",
    "二〇二六年十一月二十三日来电",
    "11月23日、11月24日、11月25日三次来电",
    "欠薪3000元，另有1.5万元补偿，¥1,200押金",
    "工资每月1380元，加班费每小时15元，共欠13800元",
    "工作日10:00-17:00，周末14:00-17:00",
    "15:30、16:00、16:30 分三次打来",
    "13:30-14:30 14:30-15:30",
    "下午3点30分再打",
    "依据《反家庭暴力法》第二十三条申请人身安全保护令",
    "《反家庭暴力法》第23条，《劳动合同法》第38条、第46条、第47条",
    "第13、14、15、16、17、18条",
    "（2023）京0105民初12345号判决已生效",
    "(2022)粤19民终1234号",
    "（2021）最高法民申5678号",
    "请拨打12355、12338、12345、110、120、119",
    "妇女维权热线12338，青少年热线12355，反诈96110，工行95588",
    "拨打12355 12338 110",
    "400-888-8888 是公司客服，800-820-8820 也打过",
    "客服电话 400 820 8820",
    "已处理 1234567 件，编号 20260001",
    "孩子13岁，读初一，身高165cm，体重50kg",
    "三个孩子分别13岁、11岁、8岁",
    "满意度 95%，同比上升 13.5%",
    "1、3、5、7、9、11、13、15项",
    "共150人，其中女性138人，未成年人12人",
    "开庭时间 2026.12.01 9:30，地点 3 楼 302 室",
    "出生于1990年1月1日，今年36岁",
    "离婚冷静期30日，一审6个月内审结",
    "一、二、三、四、五、六、七、八、九、十",
    "第一次来电是一月一日，第二次是一月十三日",
    "约定 2026-11-20 至 2026-12-20 期间每周三 14:30 面谈",
    "2026/11/20-2026/11/25，2026.11.26-2026.11.30",
    "合同编号 HT-2026-0088，发票号 00123456",
    "邮政编码 523000",
    "2026年第13周、第14周",
    "转介至妇联（电话已给来电人）",
    "QQ 2026-11-20 加的好友",
    "微信转账 3000 元",
    "她说 at home 很安全，dot 不清楚",
    "look at this dot com bubble",
    "I 13岁 O 型血",
    "iOS 13 系统",
    "个案 261120-D5WRT、261121-12345、261122-AB",
]


@pytest.mark.parametrize("text", NOT_FOUND)
def test_ordinary_numbers_are_not_flagged(text):
    assert find(text) == []
    assert redact(text) == text


# ---------------------------------------------------------------- positions, overlaps, redaction

def test_positions_are_in_the_original_full_width_text():
    text = "来电：１３８－１２３４－５６７８，邮箱ｚｈａｎｇ＠ｑｑ．ｃｏｍ，ＱＱ：１２３４５６"
    found = find(text)
    assert found == [
        Finding("mobile", 3, 16, "１３８－１２３４－５６７８"),
        Finding("email", 19, 31, "ｚｈａｎｇ＠ｑｑ．ｃｏｍ"),
        Finding("account", 35, 41, "１２３４５６"),
    ]
    assert all(text[f.start:f.end] == f.text for f in found)
    assert redact(text) == "来电：〔已隐去〕，邮箱〔已隐去〕，ＱＱ：〔已隐去〕"


def test_normalise_width_keeps_length_and_everything_but_full_width_ascii():
    assert normalise_width("ＱＱ：１２３４５　ｚｈａｎｇ＠ｑｑ．ｃｏｍ（本人）") == "QQ:12345 zhang@qq.com(本人)"
    text = "全角１２３，中文标点。、“”—·保持"  # ，is full-width ASCII too; 。、“”—· are not
    assert len(normalise_width(text)) == len(text)
    assert normalise_width(text) == "全角123,中文标点。、“”—·保持"


def test_redact_a_mixed_summary():
    text = ("回电 139-1234-5678 或座机（0769）2233 4455，微信：zhang_123，邮箱 a.b@example.org，"
            "身份证441900 19900101 123X，卡号6222 0212 3456 7890 123。个案261120-D5WRT，"
            "2026年11月20日15:30来电，欠薪3万元，拨打12355。")
    assert redact(text) == ("回电 〔已隐去〕 或座机〔已隐去〕，微信：〔已隐去〕，邮箱 〔已隐去〕，"
                            "身份证〔已隐去〕，卡号〔已隐去〕。个案261120-D5WRT，"
                            "2026年11月20日15:30来电，欠薪3万元，拨打12355。")
    assert redact("微信zhang_123", mark="***") == "微信***"
    assert scrub(text) == redact(text)


def test_the_longest_finding_wins_and_none_overlap():
    # the mobile-looking 19900101 123 inside an ID number, the QQ number inside an e-mail
    assert [f.kind for f in find("441900 19900101 123X")] == ["id_number"]
    assert [f.kind for f in find("QQ 12345@qq.com")] == ["email"]
    found = find("13812345678/13912345678、0769-22334455或22334466")
    assert [(f.kind, f.text) for f in found] == [("mobile", "13812345678"), ("mobile", "13912345678"),
                                                 ("landline", "0769-22334455"), ("landline", "22334466")]


def test_a_bare_eight_digit_number_is_a_phone_only_after_a_phone_word():
    assert find("2233 4455") == [] and find("20261120") == []
    assert [f.text for f in find("手机号码：2233 4455")] == ["2233 4455"]
    assert [f.text for f in find("Tel: 2233-4455")] == ["2233-4455"]


def test_every_kind_is_described_for_the_volunteer():
    assert set(KINDS) == {"mobile", "landline", "id_number", "email", "account", "bank_card"}
    assert {kind for _, kind, _ in FOUND} == set(KINDS)
    assert all(isinstance(v, str) and v for v in KINDS.values())
    assert MARK == "〔已隐去〕" and find("") == [] and redact("") == ""


# ---------------------------------------------------------------- properties

CONTEXT = st.text(alphabet=st.sampled_from("来电人称其丈夫手机号码打不通请回访欠薪工资，。：；！？、（）“”　 "), max_size=12)
PLAIN = st.text(alphabet=st.sampled_from("来电人称其丈夫不通请回访欠薪工资于至共，。：；！？、（）“”　 "), max_size=12)  # no phone word
SEPARATORS = ["", "", "", " ", "-", ".", "/", " - ", "  ", "－", "　", "．", "／", "—"]
PREFIXES = ["", "", "+86", "0086", "(+86)", "（＋８６）", "86", "0"]


def _full_width(ch: str) -> str:
    return chr(ord(ch) + 0xFEE0)


@st.composite
def mobiles(draw) -> tuple[str, str]:
    """(prefix, number): a mobile number as someone might type it, with any prefix, separators
    between any digits after the first two, some digits full-width."""
    digits = "1" + draw(st.sampled_from("3456789")) + "".join(
        draw(st.lists(st.sampled_from("0123456789"), min_size=9, max_size=9)))
    out = digits[:2]
    for ch in digits[2:]:
        out += draw(st.sampled_from(SEPARATORS)) + ch
    wide = draw(st.lists(st.booleans(), min_size=len(out), max_size=len(out)))
    number = "".join(_full_width(c) if w and c.isdigit() else c for c, w in zip(out, wide))
    prefix = draw(st.sampled_from(PREFIXES))
    if prefix in ("+86", "0086", "(+86)", "（＋８６）"):  # a trunk 0 and a bare 86 are glued to the number
        prefix += draw(st.sampled_from(["", " ", "-", "　", "－"]))
    return prefix, number


@settings(max_examples=500, deadline=None)
@given(CONTEXT, mobiles(), CONTEXT)
def test_a_mobile_in_any_spelling_is_found_whole_and_redacted(before, mobile, after):
    prefix, number = mobile
    text = before + prefix + number + after
    end = len(before) + len(prefix) + len(number)
    assert [(f.kind, f.start, f.end) for f in find(text)] == [("mobile", len(before), end)]
    assert not re.search(r"\d", redact(text)), redact(text)  # nothing of it is left (the context has no digit)


@st.composite
def ordinary(draw) -> str:
    """Numbers that are not personal data: dates, times, ranges, case ids, amounts, counts."""
    y, m, d = draw(st.integers(1990, 2035)), draw(st.integers(1, 12)), draw(st.integers(1, 28))
    hh, mm, h2 = draw(st.integers(0, 23)), draw(st.integers(0, 59)), draw(st.integers(0, 23))
    sep, yy = draw(st.sampled_from("-/.")), draw(st.integers(20, 99))
    crockford = "".join(draw(st.lists(st.sampled_from("0123456789ABCDEFGHJKMNPQRSTVWXYZ"), min_size=5, max_size=5)))
    return draw(st.sampled_from([
        f"{y}{sep}{m:02d}{sep}{d:02d}",
        f"{y}{sep}{m}{sep}{d} {hh:02d}:{mm:02d}",
        f"{y}{sep}{m:02d}{sep}{d:02d} {hh:02d}:{mm:02d}-{h2:02d}:{mm:02d}",
        f"{y}{sep}{m:02d}{sep}{d:02d}-{y}{sep}{m:02d}{sep}{d:02d}",
        f"{y}年{m}月{d}日{hh}点",
        f"{y}{m:02d}{d:02d}",
        f"{yy:02d}{m:02d}{d:02d}-{crockford}",  # case ids: the tool's years are 2020 on
        f"{yy:02d}{m:02d}{d:02d}-{crockford[:2]}",
        f"{draw(st.integers(0, 10**7))}元",
        f"¥{draw(st.integers(0, 999))},{draw(st.integers(0, 999)):03d}",
        f"{draw(st.integers(0, 99999))}.{draw(st.integers(0, 99)):02d}元",
        f"{draw(st.integers(1, 999))}万元",
        f"{draw(st.integers(1, 999))}个工作日",
        f"{draw(st.integers(0, 100))}%",
    ]))


@settings(max_examples=400, deadline=None)
@given(PLAIN, st.lists(ordinary(), min_size=1, max_size=3), PLAIN)
def test_dates_times_case_ids_and_amounts_are_never_flagged(before, numbers, after):
    text = before + "，".join(numbers) + after
    assert find(text) == [], text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789１３８ -./－　@＠xX微信QqVvw电话打号：:元abc.。，"), max_size=60))
def test_findings_are_sorted_disjoint_slices_of_the_text(text):
    found = find(text)
    assert all(text[f.start:f.end] == f.text and f.kind in KINDS for f in found)
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))


# ---------------------------------------------------------------- properties: evasions in any combination

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u2066", "\u180e", "\ufe0f"]
SCRIPTS = {  # a digit in another script: the code point of its zero (or the ten characters)
    "ascii": 0x30, "full-width": 0xFF10, "arabic-indic": 0x660, "persian": 0x6F0, "devanagari": 0x966,
    "bengali": 0x9E6, "thai": 0xE50, "bold": 0x1D7CE, "double-struck": 0x1D7D8, "sans": 0x1D7E2,
    "sans-bold": 0x1D7EC, "monospace": 0x1D7F6, "circled": "⓪①②③④⑤⑥⑦⑧⑨", "negative": "⓿❶❷❸❹❺❻❼❽❾",
    "superscript": "⁰¹²³⁴⁵⁶⁷⁸⁹", "chinese": "〇一二三四五六七八九", "capital": "零壹贰叁肆伍陆柒捌玖",
    "lookalike": "O" + "l" + "23456789",
}
GAPS = ["", " ", "-", "/", "\n", "\r\n", "_", "*", "、", "，", " - ", "—", "～", "|", "  ", "　", "－", " . "]


def _in_script(ch: str, script) -> str:
    return chr(script + int(ch)) if isinstance(script, int) else script[int(ch)]


@st.composite
def evasive_mobiles(draw) -> str:
    """A mobile number as someone walking around the detector types it: any digit script per
    digit, one separator (or none) between any two digits, invisible characters anywhere inside."""
    digits = "1" + draw(st.sampled_from("3456789")) + "".join(
        draw(st.lists(st.sampled_from("0123456789"), min_size=9, max_size=9)))
    gap = draw(st.sampled_from(GAPS))
    out = ""
    for i, ch in enumerate(digits):
        if i:
            out += "".join(draw(st.lists(st.sampled_from(INVISIBLE), max_size=2)))
            out += gap if draw(st.booleans()) else ""
            out += "".join(draw(st.lists(st.sampled_from(INVISIBLE), max_size=1)))
        out += _in_script(ch, SCRIPTS[draw(st.sampled_from(sorted(SCRIPTS)))])
    return out


@settings(max_examples=500, deadline=None)
@given(CONTEXT, evasive_mobiles(), CONTEXT)
def test_an_evasive_mobile_is_found_whole_and_redacted(before, number, after):
    text = before + number + after
    assert [(f.kind, f.start, f.end) for f in find(text)] == [("mobile", len(before), len(before) + len(number))]
    assert redact(text) == before + MARK + after


AT = ["@", "＠", "﹫", "(at)", "[at]", "{at}", "<at>", "（at）", "(AT)", "艾特", " @ ", " at ", " AT "]
DOT = [".", "。", "点", "(dot)", "[dot]", " . ", "．", " dot ", " DOT "]


@st.composite
def evasive_emails(draw) -> str:
    name = draw(st.from_regex(r"[a-z][a-z0-9]{1,6}(?:[._][a-z0-9]{1,4})?", fullmatch=True))
    at = draw(st.sampled_from(AT))
    host = draw(st.sampled_from(["qq", "163", "126", "gmail", "outlook", "foxmail", "example"] if at.strip() not in ("at", "AT")
                                else ["qq", "163", "126", "gmail", "outlook", "foxmail"]))
    dot = draw(st.sampled_from(DOT if at.strip() in ("at", "AT") else [d for d in DOT if d.strip() not in ("dot", "DOT")]))
    tld = draw(st.sampled_from(["com", "cn", "org", "net", "com.cn"]))
    return name + at + host + dot + tld.replace(".", dot)


@settings(max_examples=300, deadline=None)
@given(CONTEXT, evasive_emails(), CONTEXT)
def test_an_evasive_e_mail_address_is_found_whole(before, email, after):
    text = before + email + after
    assert [(f.kind, f.start, f.end) for f in find(text)] == [("email", len(before), len(before) + len(email))]


WORDS = ["微信", "微 信", "微*信", "微\u200b信", "威信", "薇信", "V信", "VX", "vx", "V X", "v.x", "QQ", "qq", "Q Q", "ＱＱ",
         "扣扣", "扣 扣", "企鹅", "wechat", "WeChat", "we chat", "weixin", "wei xin"]


@settings(max_examples=300, deadline=None)
@given(CONTEXT, st.sampled_from(WORDS), st.sampled_from(["", "号", "号码", "账号", " ID", "id"]),
       st.sampled_from([" ", ":", "：", "： ", "是", " = ", "为"]),
       st.from_regex(r"[a-z][a-z0-9_]{3,10}[a-z0-9]|[1-9][0-9]{4,10}", fullmatch=True), CONTEXT)
def test_an_id_after_a_broken_qq_or_wechat_word_is_found(before, word, suffix, said, account, after):
    text = before + word + suffix + said + account + after
    found = find(text)
    assert [f.text for f in found] == [account], text
    assert found[0].kind in ("account", "mobile", "landline")  # an id that is a phone number is named as one


@st.composite
def counselling(draw) -> str:
    """Numbers ordinary counselling text is full of: dates, times, amounts, ages, law articles,
    court case numbers, hotline and service numbers, percentages, counts."""
    y, m, d = draw(st.integers(1990, 2035)), draw(st.integers(1, 12)), draw(st.integers(1, 28))
    hh, mm, n = draw(st.integers(0, 23)), draw(st.integers(0, 59)), draw(st.integers(0, 99999))
    cn = draw(st.sampled_from(["二十三", "十四", "三十八", "一百零五", "四十六"]))
    return draw(st.sampled_from([
        f"{y}年{m}月{d}日", f"{m}月{d}日", f"{y}年{m}月", f"{y}-{m:02d}-{d:02d}", f"{y}/{m}/{d}",
        f"{hh}:{mm:02d}", f"{hh:02d}:{mm:02d}-{(hh + 1) % 24:02d}:{mm:02d}", f"{hh}点{mm}分", f"下午{hh % 12}点",
        f"{n}元", f"{n}块", f"{n % 1000}万元", f"¥{n:,}", f"{n}.{mm:02d}元", f"{n % 100}%", f"{n % 100}岁",
        f"第{n % 300}条", f"《反家庭暴力法》第{cn}条", f"第{n % 300}条第{mm % 5 + 1}款",
        f"（{y}）京{n % 10000:04d}民初{n}号", f"({y})粤{n % 100:02d}民终{n}号",
        draw(st.sampled_from(["12355", "12338", "110", "120", "119", "12345", "12315", "96110", "95588"])),
        f"400-{n % 1000:03d}-{n % 10000:04d}", f"{n % 100}个工作日", f"{n % 1000}名", f"{n % 50}次",
    ]))


FILLER = st.text(alphabet=st.sampled_from("来访者称其丈夫不再回家欠薪工资于至共约，。、；（）“” "), min_size=1, max_size=6)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(FILLER, counselling()), min_size=1, max_size=4), FILLER)
def test_ordinary_counselling_numbers_in_any_order_are_never_flagged(parts, tail):
    text = "".join(a + b for a, b in parts) + tail
    assert find(text) == [], text


@pytest.mark.parametrize("text, account", [
    ("微信 id000", "id000"),            # not the word `id` and then three digits (too few for an id)
    ("加微信id_abc", "id_abc"),
    ("QQ ID x1234", "x1234"),           # the word `ID`, then the id
    ("微信 idabc1234", "abc1234"),
])
def test_an_id_that_starts_like_the_word_id_is_found_whole(text, account):
    assert [f.text for f in find(text)] == [account]
