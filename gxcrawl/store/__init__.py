"""The SQLite database every crawl leaves behind (../shared/spec/storage.md), by concern:

- `schema`: the layout, and `open_database` (created or upgraded) / `open_readonly`;
- `reports`: reports and their versions (`store_report`, `store_reading`, rule R6);
- `runs`: failures and crawl runs;
- `refresh`: what a refresh reads (pages stored before, pages that failed) and writes (pages unchanged);
- `interfaces`: script-loaded lists' learnt interfaces;
- `scorecards`, `summaries`, `sources`, `wide`: what the writer keeps beside each report (grades, summary tables,
  where each figure was read) and the wide view;
- `rows`: one row written in one statement.

The crawl record they all take, `Fetch`, is in gxcrawl.model. The raw documents are kept content-addressed
by gxcrawl.archive, so that `reparse` can read them again. Nothing once stored is deleted or silently
overwritten.
"""
