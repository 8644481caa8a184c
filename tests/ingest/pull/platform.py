"""A real HTTP server on 127.0.0.1 playing an upstream platform for the pull tests."""

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TOKEN = "s3cret-token"


@dataclass
class Platform:
    """What the server serves and what it saw."""

    records: list[dict[str, object]] = field(default_factory=list)
    hits: Counter[str] = field(default_factory=Counter)
    queries: list[dict[str, str]] = field(default_factory=list)
    flaky_failures: int = 1
    url: str = ""

    def national_rows(self, query: dict[str, str]) -> list[dict[str, object]]:
        start = query.get("start", "")[:16]  # the table shows minutes: "2024-05-06 04:00"
        rows = [r for r in self.records if str(r["监测时间"]) >= start]
        rows.sort(key=lambda r: (str(r["监测时间"]), str(r["断面名称"])))
        page, size = int(query.get("page", 1)), int(query.get("pageSize", 1000))
        return rows[(page - 1) * size : page * size]


def _handler(platform: Platform) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
            pass

        def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            platform.hits[parts.path] += 1
            if parts.path == "/national":
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self._send(401, b'{"error": "unauthorised"}')
                    return
                platform.queries.append(query)
                rows = platform.national_rows(query)
                self._send(200, json.dumps({"code": 0, "data": rows}, ensure_ascii=False).encode())
            elif parts.path == "/down":
                self._send(500, b"internal error")
            elif parts.path == "/slow":
                time.sleep(1.0)
                self._send(200, b'{"data": []}')
            elif parts.path == "/garbage":
                self._send(200, b"<html><body>502 Bad Gateway</body></html>")
            elif parts.path == "/wrong-shape":
                self._send(200, b'{"data": "maintenance"}')
            elif parts.path == "/flaky":
                if platform.hits[parts.path] <= platform.flaky_failures:
                    self._send(503, b"busy")
                else:
                    self._send(200, json.dumps({"data": platform.national_rows(query)}).encode())
            elif parts.path == "/long.csv":
                body = "站点,时间,项目,值,单位\n河西断面,2024-05-06 08:00,氨氮,0.31,mg/L\n"
                body += "河西断面,2024-05-06 08:00,铅,2.5,µg/L\n河西断面,2024-05-06 08:00,未知项,1,mg/L\n"
                self._send(200, body.encode("gb18030"), "text/csv")
            else:
                self._send(404, b"{}")

    return Handler


@contextmanager
def serve(platform: Platform) -> Iterator[Platform]:
    """Run the platform on a free port of 127.0.0.1 for the duration of the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(platform))
    server.daemon_threads = True
    server.block_on_close = False  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    platform.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield platform
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def national_row(site: str, when: str, **values: object) -> dict[str, object]:
    """One row of the national automatic-station table."""
    row: dict[str, object] = {
        "省份": "某省", "流域": "长江流域", "断面名称": site, "监测时间": when, "水质类别": "Ⅱ",
        "水温": 18.2, "pH": 7.6, "溶解氧": 8.1, "电导率": 320, "浊度": 12.5, "高锰酸盐指数": 2.4,
        "氨氮": "0.025L", "总磷": 0.04, "总氮": 1.2, "叶绿素α": 0.003, "藻密度": 1.2e6, "站点情况": "正常",
    }  # fmt: skip
    row.update(values)
    return row
