"""Storage: the book's files and their history.

Case files and the points ledger (YAML, safe loading with line numbers, atomic writes),
case ids, the write lock, the derived SQLite index, and git.  No rule of the spec is
decided here; the domain decides, storage keeps.
"""
