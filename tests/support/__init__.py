"""What the tests, the demo and the benchmarks serve and generate, never shipped or loaded by a crawl:
sample reports (`samples`) and their attachment files (`rendering`), replicas of the Henan portal
(`henan_replica`), of agency columns (`site_replica`, `script_lists`), text conversions (`conversions`),
local servers (`serving`) and the offline demo (`demo`)."""
