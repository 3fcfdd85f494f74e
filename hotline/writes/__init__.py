"""Every change to a book, callable from Python (the CLI is a skin over these).

A new write goes here: checked first (a UsageError or BookError, nothing written), then the files
under the book's lock and one commit (`Book.commit`).

  actions.py   the case's events: intake, assign, refer, follow-up, close, amend, void, points
  alerts.py    what an intake sets in motion at once (domain.safety's rules)
  calllog.py   calls that did not become cases: add, import
  importer.py  cases from a spreadsheet
  setup.py     a new book (`init`) and re-keying (`rekey`)
  staff.py     a leave request
  offices.py   several offices: the merge driver, `sync`, `resolve`, `init --clone`, `upgrade`

Changes to who may read (keys, approvals, erasure) are in `hotline/trust/`."""
