"""Browsing a gxcrawl database in datasette (`gxcrawl browse`, see `server`).

Everything datasette shows beyond the tables is data: `metadata.yaml` holds
the labels, descriptions, facets, canned queries and charts (with
datasette-dashboards); the plugin (`plugin`, registered as a datasette entry
point) adds only what metadata cannot do; `templates/row.html` shows a
report's figures as the official form prints them (`layout`).
"""
