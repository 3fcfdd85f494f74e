"""What the read commands ask of a book, callable from Python; they never write a case (the
derived index beside git's own files is a cache, not the book).

A new read goes here:

  queries.py   lists, overdue, the month's report and score, the upward report's inputs
  callers.py   the caller's file: every case of one caller
  check.py     `hotline check`: every file of the book, bean-check style
  staff.py     who is on duty, the leave list, the roster and its trial periods
  calllog.py   the calls that did not become cases, month by month

Reads of personal data ask `hotline/trust/` (readers.py) first."""
