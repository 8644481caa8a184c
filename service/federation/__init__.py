"""Federation: a city-level wqmon pulls each county wqmon's scorecard over HTTP and ranks the counties."""
