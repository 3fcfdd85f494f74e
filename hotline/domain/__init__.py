"""The domain: the spec's rules as pure functions over plain data.

Nothing in this package prints, reads the clock, touches files or runs git: cases, rules,
roster, calendar, clocks, points and the bulletin's numbers come in as values and go out as
values.  "Now" is always a parameter.
"""
