"""The command line: a thin skin that parses, prompts, renders and maps errors to exit codes.

No rule of the spec lives here: commands call `actions` (writes), `queries` (reads),
`check` and `setup`, and render what they return.  Heavy modules are imported inside
commands so `hotline --help` stays fast.  One module per command family:

  admin.py      init, key new|show
  intake.py     intake (and its prompts)
  events.py     followup, refer, urge, assign, close
  reading.py    show, list, history
  deadlines.py  overdue
  report.py     report
  points.py     award, penalize, score
  duty.py       duty, leave, roster
  safety.py     caller (and what intake says at once about risk, threats, mandatory reports)
  upkeep.py     check, rekey
  offices.py    sync, resolve, upgrade, merge-file (git's merge driver)
  sheets.py     import (and its template); exports.py: --format xlsx of the listings
"""
from __future__ import annotations

# imported in the order `hotline --help` lists the commands
from . import admin, intake, events, reading, deadlines, report, points, duty, safety, upkeep, offices, sheets, calls, confidential  # noqa: F401,I001
from .app import app

__all__ = ["app", "main"]


def main() -> None:
    import sys

    try:
        app()
    finally:
        try:
            sys.stdout.flush()
        except BrokenPipeError:  # the reader of the output went away before the last lines
            from .common import quiet_stdout

            quiet_stdout()
