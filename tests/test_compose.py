"""docker-compose.yml checked without a Docker engine: its structure, and what it publishes.

`docker compose config` needs the Compose plugin, which CI machines without Docker lack; this test
reads the file as Compose does (YAML, ${VAR:-default} taken at its default) and checks the same.
"""

import re
from pathlib import Path
from typing import Any

import yaml

COMPOSE = Path(__file__).resolve().parents[1] / "docker-compose.yml"
_VARIABLE = re.compile(r"\$\{(\w+)(?::?-([^}]*)|:?\?[^}]*)?\}")


def with_defaults(value: Any) -> Any:
    """`value` with each ${VAR:-default} replaced by its default ('' where none is given)."""
    if isinstance(value, str):
        return _VARIABLE.sub(lambda m: m.group(2) or "", value)
    if isinstance(value, list):
        return [with_defaults(v) for v in value]
    if isinstance(value, dict):
        return {k: with_defaults(v) for k, v in value.items()}
    return value


def published(service: dict[str, Any]) -> dict[int, str]:
    """Container port -> the host address it is published on ('' = every interface)."""
    out = {}
    for entry in service.get("ports", []):
        parts = str(entry).split(":")
        assert len(parts) in (2, 3) and all(p.isdigit() for p in parts[-2:]), (
            f"port {entry!r} is not [ip:]host:container"
        )
        out[int(parts[-1])] = parts[0] if len(parts) == 3 else ""
    return out


def test_the_compose_file_is_well_formed() -> None:
    compose = with_defaults(yaml.safe_load(COMPOSE.read_text(encoding="utf-8")))
    services = compose["services"]
    volumes = set(compose.get("volumes") or {})
    for name, service in services.items():
        assert "image" in service or "build" in service, f"service {name} has neither image nor build"
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"service {name} depends on unknown {dependency}"
        for volume in service.get("volumes", []):
            source = str(volume).split(":")[0]
            assert source.startswith((".", "/")) or source in volumes, f"service {name}: volume {source} not declared"
        published(service)


def test_loggers_reach_hj212_and_plain_http_stays_on_loopback() -> None:
    compose = with_defaults(yaml.safe_load(COMPOSE.read_text(encoding="utf-8")))
    ports = published(compose["services"]["wqmon"])
    assert ports[8212] in ("", "0.0.0.0")  # loggers connect from the field
    assert ports[8000] == "127.0.0.1"  # plain HTTP only behind a TLS proxy on the host
    assert "influxdb" not in {k for k, v in compose["services"].items() if v.get("ports")}
    assert "TLS" in COMPOSE.read_text(encoding="utf-8")
