"""`python -m service` runs the wqmon CLI (the same as the `wqmon` console script)."""

from service.cli import main

main()
