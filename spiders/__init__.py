"""One spider per portal: navigation only. Parsing lives in `gxcrawl`."""
