"""hotline: a case register for counselling hotlines, kept as plain files in git."""

__version__ = "0.1.0"
