"""Turning one document into an annual report's figures, stage by stage.

documents (bytes → blocks and grids) → rows (→ labelled rows and sections)
→ figures (→ the form and its figures) → checks (→ the consistency rules).
`gxcrawl.report.parse_document` runs them in order.
"""
