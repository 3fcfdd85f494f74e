"""The people side of the line (issue #16): the duty rota, leave, trial periods.

Calendar facts used (computed by hand): 2026-01-01 is a Thursday, so ISO week 1 of 2026 starts
Mon 2025-12-29; Mon 2026-11-02 is day 306 of the year, hence week 45 (W45 = 11-02..11-08,
W47 = 11-16..11-22, W48 = 11-23..11-29, W52 = 12-21..12-27).
"""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

TWELVE355_HOURS = """service_hours:
  working_day: []
  other_day: []
  wed: ["14:30-18:00"]
  thu: ["14:30-18:00"]
  fri: ["14:30-18:00"]
  sat: ["08:00-21:00"]
  sun: ["08:00-21:00"]
"""

FOUR_GROUPS = """groups:
  - {id: g1, name: 一组}
  - {id: g2, name: 二组}
  - {id: g3, name: 三组}
  - {id: g4, name: 四组}
people:
  - {id: shi, name: 施图, group: g1, roles: [director, leader], phone: "13900000011", key: KEY}
  - {id: wangc, name: 王丛, group: g1, roles: [deputy_leader], phone: "13900000012"}
  - {id: liub, name: 刘兵, group: g2, roles: [leader], phone: "13900000021"}
  - {id: xuq, name: 徐青, group: g3, roles: [secretary, leader], phone: "13900000031"}
  - {id: zhouz, name: 周志, group: g3, roles: [deputy_leader], phone: "13900000032"}
  - {id: fang, name: 方兵, group: g3, roles: [deputy_leader], phone: "13900000033"}
  - {id: chenm, name: 陈明, group: g4, roles: [leader], phone: "13900000041"}
partners: []
"""


def set_rules(book, old: str, new: str) -> None:
    path = book.root / "rules.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    book.git("commit", "-qam", "rules for the test")


def four_groups(book) -> None:
    """The 12355 line: four groups, the rota from Mon 2026-11-02, weeks 47 and 48 traded."""
    import yaml

    key = yaml.safe_load((book.root / "roster.yaml").read_text(encoding="utf-8"))["people"][0]["key"]
    (book.root / "roster.yaml").write_text(FOUR_GROUPS.replace("KEY", key), encoding="utf-8")
    book.git("commit", "-qam", "four groups")
    set_rules(book, "duty:\n  start: 2026-01-05\n  weeks: 1\n  swaps: {}\n",
              "duty:\n  start: 2026-11-02\n  weeks: 1\n  swaps: {2026-W47: g4, 2026-W48: g3}\n")


def test_eight_weeks_of_rotation_with_a_swapped_week(book):
    four_groups(book)
    days = json.loads(book.run("duty", "--week", "2026-W45", "--weeks", "8", "--format", "json").stdout)
    assert len(days) == 56 and days[0]["date"] == "2026-11-02" and days[-1]["date"] == "2026-12-27"
    mondays = [(d["week"], d["group"]["id"], d["swapped"]) for d in days[::7]]
    # g1 g2 g3 g4 g1 g2 g3 g4 in turn, with g3 and g4 trading weeks 47 and 48
    assert mondays == [("2026-W45", "g1", False), ("2026-W46", "g2", False), ("2026-W47", "g4", True),
                       ("2026-W48", "g3", True), ("2026-W49", "g1", False), ("2026-W50", "g2", False),
                       ("2026-W51", "g3", False), ("2026-W52", "g4", False)]
    assert all(d["group"]["id"] == days[i - i % 7]["group"]["id"] for i, d in enumerate(days))  # a whole week each
    w48 = days[21]
    assert w48["leader"] == {"id": "xuq", "name": "徐青", "phone": "13900000031"}
    assert [p["id"] for p in w48["deputies"]] == ["zhouz", "fang"]
    table = book.run("duty", "--week", "2026-W47").stdout
    assert "四组 *" in table and "a swapped week" in table


def test_duty_at_a_moment_with_the_12355_hours_and_a_leader_on_leave(book):
    four_groups(book)
    set_rules(book, 'service_hours:\n  working_day: ["10:00-17:00"]\n  other_day: ["14:00-17:00"]\n', TWELVE355_HOURS)
    book.run("leave", "xuq", "--from", "2026-11-27", "--to", "2026-11-28", "--at", "2026-11-20 10:00", user="xuq")
    sat = json.loads(book.run("duty", "--at", "2026-11-28 20:00", "--format", "json").stdout)  # W48: g3
    assert sat["at"] == "2026-11-28T20:00:00+08:00" and sat["week"] == "2026-W48"
    assert sat["group"] == {"id": "g3", "name": "三组"} and sat["leader"]["id"] == "xuq"
    assert sat["on_leave"] == ["xuq"] and sat["contact"]["id"] == "zhouz"  # the first deputy answers for her
    assert sat["service_hours"] == ["08:00-21:00"] and sat["in_service"] is True
    late = json.loads(book.run("duty", "--at", "2026-11-28 21:00", "--format", "json").stdout)
    assert late["in_service"] is False
    mon = json.loads(book.run("duty", "--at", "2026-11-23 15:00", "--format", "json").stdout)
    assert mon["service_hours"] == [] and mon["in_service"] is False and mon["on_leave"] == []
    text = book.run("duty", "--at", "2026-11-28 20:00").stdout
    assert "徐青 (xuq) 13900000031" in text and "周志 (zhouz)" in text and "the leader is on leave" in text


def test_the_default_rota_takes_the_roster_groups_in_turn_from_its_monday(book):
    # rules.yaml's default start Mon 2026-01-05; W47 starts 2026-11-16, 315 days = 45 weeks later: odd, g2
    d = json.loads(book.run("duty", "--format", "json").stdout)  # now: Mon 2026-11-23 12:00, 46 weeks: g1
    assert d["group"]["id"] == "g1" and d["leader"] == {"id": "wang", "name": "王芳", "phone": "13900000001"}
    d = json.loads(book.run("duty", "--at", "2026-11-21 20:00", "--format", "json").stdout)
    assert d["group"]["id"] == "g2" and d["leader"]["id"] == "zhao" and d["deputies"] == []
    csv = book.run("duty", "--at", "2026-11-21 20:00", "--format", "csv").stdout.splitlines()
    assert csv[0].lstrip("\ufeff").startswith("time,date,week,group id,group,") and ",2026-W47,g2,二组," in csv[1]


def test_the_ics_file_has_one_event_per_service_period(book, tmp_path):
    icalendar = pytest.importorskip("icalendar")
    set_rules(book, 'service_hours:\n  working_day: ["10:00-17:00"]\n  other_day: ["14:00-17:00"]\n', TWELVE355_HOURS)
    target = tmp_path / "duty.ics"
    r = book.run("duty", "--week", "2026-W47", "--format", "ics", "--output", str(target))
    assert "duty.ics" in r.stdout
    cal = icalendar.Calendar.from_ical(target.read_bytes())
    events = [c for c in cal.walk("VEVENT")]
    # W47 with the 12355 hours: Wed, Thu, Fri 14:30-18:00 and Sat, Sun 08:00-21:00; no service Mon, Tue
    starts = [(e.decoded("dtstart").isoformat(), e.decoded("dtend").isoformat()) for e in events]
    assert starts == [("2026-11-18T14:30:00+08:00", "2026-11-18T18:00:00+08:00"),
                      ("2026-11-19T14:30:00+08:00", "2026-11-19T18:00:00+08:00"),
                      ("2026-11-20T14:30:00+08:00", "2026-11-20T18:00:00+08:00"),
                      ("2026-11-21T08:00:00+08:00", "2026-11-21T21:00:00+08:00"),
                      ("2026-11-22T08:00:00+08:00", "2026-11-22T21:00:00+08:00")]
    assert all(str(e["summary"]).startswith("Duty 二组") and "赵强" in str(e["summary"]) for e in events)
    assert len({str(e["uid"]) for e in events}) == 5
    assert all(e.decoded("dtstamp").isoformat() == "2026-11-23T04:00:00+00:00" for e in events)  # now, in UTC
    assert cal.walk("VTIMEZONE") and str(cal.walk("VTIMEZONE")[0]["tzid"]) == "Asia/Shanghai"


def test_leave_on_time_and_late(book):
    before = int(book.git("rev-list", "--count", "HEAD"))
    # requested Mon 11-23 09:00 for Thu 11-26: three days ahead, on time
    r = book.run("leave", "li", "--from", "2026-11-26", "--to", "2026-11-27", "--reason", "培训",
                 "--at", "2026-11-23 09:00", user="li")
    assert "Marked late" not in r.stdout
    # requested now (Mon 11-23 12:00) for Wed 11-25: two days ahead, recorded and marked late
    r = book.run("leave", "chen", "--from", "2026-11-25", "--to", "2026-11-25", user="zhao")
    assert "Marked late" in r.stdout and "fewer than 3 days" in r.stdout
    assert int(book.git("rev-list", "--count", "HEAD")) == before + 2
    assert book.git("log", "-2", "--format=%an|%s").splitlines() == [
        "赵强|leave chen 2026-11-25..2026-11-25 (late)", "李娜|leave li 2026-11-26..2026-11-27"]
    rows = json.loads(book.run("leave", "--list", "--month", "2026-11", "--format", "json").stdout)
    assert [(r["person"], r["from"], r["to"], r["requested"], r["late"]) for r in rows] == [
        ("chen", "2026-11-25", "2026-11-25", "2026-11-23T12:00:00+08:00", True),
        ("li", "2026-11-26", "2026-11-27", "2026-11-23T09:00:00+08:00", False)]
    assert json.loads(book.run("leave", "--list", "--month", "2026-12", "--format", "json").stdout) == []
    # W48 (11-23..11-29) is g1's week: li is away Thursday, not Wednesday; chen (g2) never shows
    assert json.loads(book.run("duty", "--at", "2026-11-26 10:00", "--format", "json").stdout)["on_leave"] == ["li"]
    assert json.loads(book.run("duty", "--at", "2026-11-25 10:00", "--format", "json").stdout)["on_leave"] == []
    assert book.run("check").exit_code == 0


def test_leave_refuses_bad_input_and_writes_nothing(book):
    before = int(book.git("rev-list", "--count", "HEAD"))
    for args in (["nobody", "--from", "2026-11-26", "--to", "2026-11-27"],
                 ["li", "--from", "2026-11-27", "--to", "2026-11-26"],
                 ["li", "--from", "2026-11-26"],
                 ["li", "--from", "2026-02-30", "--to", "2026-03-01"],
                 ["li", "--from", "2026-11-26", "--to", "2026-11-27", "--reason", "电话 13812345678"]):
        r = book.run("leave", *args, expect=2)
        assert len(r.stderr.strip().splitlines()) == 1
    assert int(book.git("rev-list", "--count", "HEAD")) == before and not (book.root / "leave").exists()


def test_check_names_a_leave_entry_the_roster_does_not_know(book):
    book.run("leave", "li", "--from", "2026-11-26", "--to", "2026-11-27")
    path = book.root / "leave" / "2026.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("person: li", "person: nobody"), encoding="utf-8")
    book.git("commit", "-qam", "hand edit")
    r = book.run("check", expect=1)
    assert "leave/2026.yaml:3: entries[0]: 'nobody' is not in roster.yaml" in r.stdout


def test_trials_ending(book):
    roster = (book.root / "roster.yaml").read_text(encoding="utf-8")
    roster = roster.replace("email: li@example.org\n", "email: li@example.org\n    joined: 2026-08-23\n")
    roster = roster.replace("    name: 陈静\n", "    name: 陈静\n    joined: 2026-08-24\n")
    roster = roster.replace("roles: [leader]\n", "roles: [leader]\n    joined: 2026-05-31\n    trial: passed\n")
    roster = roster.replace("roles: [secretary]\n", "roles: [secretary]\n    joined: 2025-11-30\n")
    (book.root / "roster.yaml").write_text(roster, encoding="utf-8")
    rows = {r["id"]: r for r in json.loads(book.run("roster", "--format", "json").stdout)}
    assert set(rows["li"]) >= {"id", "name", "group", "roles", "active", "joined", "trial_until", "in_trial"}
    # now is 2026-11-23: three months after 08-23 is 11-23 (over today), after 08-24 is 11-24 (tomorrow)
    assert (rows["li"]["trial_until"], rows["li"]["in_trial"], rows["li"]["decision_due"]) == ("2026-11-23", False, True)
    assert (rows["chen"]["trial_until"], rows["chen"]["in_trial"], rows["chen"]["decision_due"]) == ("2026-11-24", True, False)
    # 05-31 + 3 months is 08-31; decided already
    assert (rows["zhao"]["trial_until"], rows["zhao"]["trial"], rows["zhao"]["decision_due"]) == ("2026-08-31", "passed", False)
    # 2025-11-30 + 3 months: February has no 30th, so 2026-02-28
    assert (rows["xu"]["trial_until"], rows["xu"]["decision_due"]) == ("2026-02-28", True)
    assert (rows["wang"]["joined"], rows["wang"]["trial_until"], rows["wang"]["in_trial"]) == (None, None, False)
    text = book.run("roster").stdout
    assert "no committee decision" in text and "李娜 (li)" in text and "徐青 (xu)" in text and "陈静 (chen)" not in text
    (book.root / "roster.yaml").write_text(roster.replace("trial: passed", "trial: maybe"), encoding="utf-8")
    r = book.run("check", expect=1)
    assert "roster.yaml:" in r.stdout and "trial must be passed or ended, not 'maybe'" in r.stdout


def test_a_rota_naming_a_group_the_roster_lacks_is_named_with_its_line(book):
    set_rules(book, "  swaps: {}\n", "  swaps:\n    2026-W48: g9\n")
    r = book.run("check", expect=1)
    assert "rules.yaml:" in r.stdout and "duty.swaps.2026-W48: unknown group 'g9'" in r.stdout
    r = book.run("duty", "--week", "2026-W48", expect=1)
    assert "unknown group 'g9'" in r.stderr
    set_rules(book, "  start: 2026-01-05\n", "  start: 2026-01-06\n")
    r = book.run("duty", expect=1)
    assert "duty.start must be a Monday" in r.stderr


@pytest.mark.parametrize("args", [["--week", "2026-W54"], ["--at", "2026-11-23 10:00", "--week", "2026-W48"],
                                  ["--format", "xml"], ["--weeks", "0"]])
def test_duty_bad_input_is_one_line_and_exit_2(book, args):
    r = book.run("duty", *args, expect=2)
    assert len(r.stderr.strip().splitlines()) == 1


def test_rota_arithmetic_backwards_from_the_start(book):
    from hotline.domain.duty import group_on
    from hotline.domain.linerules import Duty
    from hotline.domain.model import Group, Roster

    roster = Roster([Group("a", "A"), Group("b", "B"), Group("c", "C")], [], [])
    rota = Duty(start=date(2026, 11, 2), weeks=2)
    # two weeks each: a a b b c c a ...; the week before the start belongs to c (turn -1)
    got = [group_on(rota, roster, date(2026, 11, 2) + timedelta(weeks=n))[0] for n in range(-2, 7)]
    assert got == ["c", "c", "a", "a", "b", "b", "c", "c", "a"]
