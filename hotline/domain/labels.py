"""Labels of the tool's own words (status, event types, deadline kinds, clock states).

The hotline's vocabularies (channels, grades, categories …) are data in rules.yaml; these
few words belong to the tool, and this is their one home.
"""
from __future__ import annotations

STATUS = {"open": "处理中", "referred": "已转介", "closed": "已结案"}
EVENT = {
    "intake": "受理", "escalate": "报告主任", "followup": "跟进", "refer": "转介", "urge": "催办",
    "assign": "移交", "close": "结案", "revisit": "回访", "amend": "更正", "void": "作废",
}
DEADLINE = {"close": "结案", "respond": "首次响应", "refer": "转介", "follow_up": "转介跟进", "revisit": "回访"}
STATE = {"running": "进行中", "overdue": "已超时", "met": "按时", "late": "超时完成", "none": "无时限"}
CASE_ITEMS = {"resolved_case": "个案已解决", "late_closure": "未及时结案"}


def status(key: str) -> str:
    return STATUS.get(key, key)


def event(key: str) -> str:
    return EVENT.get(key, key)


def deadline(key: str) -> str:
    return DEADLINE.get(key, key)


def state(key: str) -> str:
    return STATE.get(key, key)
