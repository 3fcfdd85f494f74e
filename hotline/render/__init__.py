"""Output formats, chosen apart from the numbers (hledger's way): tables, JSON, CSV,
Jinja2 templates, inline SVG charts and Markdown escaping.  Nothing here computes a rule."""
