"""Pull ingestors: upstream platforms fetched on a schedule, kept incremental by a watermark."""
