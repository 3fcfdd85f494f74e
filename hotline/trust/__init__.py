"""Personal data and who may read it (SPEC §7): the one place that encrypts, decrypts, hands out or
takes away a key, and judges what arrives from another office.

  privacy.py    age encryption, staff identities, caller pseudonyms
  readers.py    need to know, enforced: every road to a case's personal data asks here
  keyring.py    per-case data keys in the key store, wrapped for each reader
  approvals.py  director approvals of the roster's keys, roles and groups
  erasure.py    erasure, retention and legal hold
  arrivals.py   what arrives by sync, and what it may not do to this book"""
