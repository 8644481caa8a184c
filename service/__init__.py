"""The wqmon service: HTTP API, CLI and pages. Wires the other layers; owns none of the domain."""
