"""The wqmon domain: catalogue, standards, sites, evaluation. Pure and vectorised, no I/O."""
