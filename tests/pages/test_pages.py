"""The pages over HTTP (real server, no browser): sessions, roles, the form token, language, upload, plotly.js."""

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import openpyxl
import plotly
import pytest

from models.configuration import Configuration
from models.errors import ConfigError
from models.methods.ratings import CLASS_COLOURS
from service.pages.session import SESSION_COOKIE
from service.pages.site_map import load_geojson, site_map
from tests.pages.conftest import DemoServer

_OPEN: list[httpx.Client] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().close()


def client(server: DemoServer, role: str | None = None) -> httpx.Client:
    """A client logged in as `role` (through the login form), or not logged in; closed after the test."""
    session = httpx.Client(base_url=server.url, timeout=60)
    _OPEN.append(session)
    if role is not None:
        answer = session.post("/login", data={"api_key": server.keys[role], "next": "/overview"})
        assert answer.status_code == 303, answer.text
    return session


@pytest.mark.parametrize("path", ["/overview", "/sites", "/sites/qx-chujing", "/alerts", "/upload"])
def test_pages_redirect_to_login_without_a_session(demo_server: DemoServer, path: str) -> None:
    answer = client(demo_server).get(path)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/login?next={path}"


def test_login_keeps_the_key_in_an_httponly_samesite_cookie(demo_server: DemoServer) -> None:
    answer = client(demo_server).post("/login", data={"api_key": demo_server.keys["viewer"], "next": "/sites"})
    assert answer.status_code == 303 and answer.headers["location"] == "/sites"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie  # plain http on loopback; https sets Secure


@pytest.mark.parametrize(("key", "message"), [("wqm_not-a-key", "密钥无效"), (None, "无权查看页面")])
def test_login_refuses_unknown_keys_and_roles_without_read(
    demo_server: DemoServer, key: str | None, message: str
) -> None:
    answer = client(demo_server).post("/login", data={"api_key": key or demo_server.keys["scoring"]})
    assert answer.status_code == 401
    assert message in answer.text
    assert SESSION_COOKIE not in answer.headers.get("set-cookie", "")


def test_login_does_not_redirect_off_site(demo_server: DemoServer) -> None:
    answer = client(demo_server).post("/login", data={"api_key": demo_server.keys["viewer"], "next": "//evil.test/"})
    assert answer.headers["location"] == "/overview"


def test_logout_forgets_the_session(demo_server: DemoServer) -> None:
    session = client(demo_server, "viewer")
    answer = session.post("/logout")
    assert answer.status_code == 303 and 'wqmon_session=""' in answer.headers["set-cookie"]
    assert session.get("/overview").status_code == 303


def test_overview_shows_the_scorecard_with_status_colours_and_failing_sites(demo_server: DemoServer) -> None:
    page = client(demo_server, "viewer").get("/overview", params={"month": "2025-10"}).text
    bearer = {"Authorization": f"Bearer {demo_server.keys['viewer']}"}
    card = client(demo_server).get("/api/v1/scorecard", params={"period": "2025-10"}, headers=bearer).json()
    for row in card["indicators"]:
        assert f'data-indicator="{row["id"]}"' in page
        assert row["name"] in page
    assert 'class="status red"' in page and "不达标" in page
    failing = {s["site"] for row in card["indicators"] for s in row.get("failing", [])}
    assert failing and all(f'href="/sites/{site}?year=2025"' in page for site in failing)


def test_overview_shows_the_ratings_with_class_colours(demo_server: DemoServer) -> None:
    """The month's ratings (环办〔2011〕22号) as the API gives them, each rating and class share
    drawn in its standard colour (digest §3.3)."""
    page = client(demo_server, "viewer").get("/overview", params={"month": "2025-10"}).text
    bearer = {"Authorization": f"Bearer {demo_server.keys['viewer']}"}
    ratings = client(demo_server).get("/api/v1/ratings", params={"period": "2025-10"}, headers=bearer).json()
    for group in [*ratings["rivers"], *ratings["basins"], ratings["county"]]:
        assert f'data-level="{group["level"]}" data-name="{group["name"]}"' in page
        if group["rating"]:
            assert f'style="background: {group["colour"]["hex"]}" data-colour="{group["colour"]["name"]}"' in page
            assert group["rating_zh"] in page
        for share in group["shares"]:
            if share["sections"]:
                assert f'style="background: {share["colour"]["hex"]}" data-class="{share["class"]}"' in page


def test_overview_shows_each_part_of_a_compound_indicator_and_what_to_fix_in_points(demo_server: DemoServer) -> None:
    page = client(demo_server, "viewer").get("/overview", params={"month": "2025-10"}).text
    bearer = {"Authorization": f"Bearer {demo_server.keys['viewer']}"}
    card = client(demo_server).get("/api/v1/scorecard", params={"period": "2025"}, headers=bearer).json()
    water = {r["id"]: r for r in card["indicators"]}["water-environment"]
    for part in water["parts"]:
        assert f'data-part="{part["id"]}"' in page
    year = page.split('<details class="fixes" data-period="2025">')[1].split("</details>")[0]
    listed = [chunk.split('"')[0] for chunk in year.split('data-fix="')[1:]]
    assert listed == [f["id"] for f in card["fixes"]]  # the order of the API: largest stake first
    stakes = [f["points_at_stake"] for f in card["fixes"]]
    assert stakes == sorted(stakes, reverse=True) and stakes[0] > 0


def test_english_on_request_and_remembered(demo_server: DemoServer) -> None:
    session = client(demo_server, "viewer")
    answer = session.get("/sites", params={"lang": "en"})
    assert "Latest values" in answer.text and "最新数据" not in answer.text
    assert "wqmon_lang=en" in answer.headers["set-cookie"]
    assert "Latest values" in session.get("/sites").text
    switch = session.get("/sites", params={"month": "2025-10"}).text.split('id="language"')[0].rsplit('href="', 1)[1]
    assert "month=2025-10" in switch and "lang=zh" in switch


def test_plotly_is_served_from_the_package_and_nothing_from_the_internet(demo_server: DemoServer) -> None:
    session = client(demo_server, "viewer")
    script = session.get("/static/plotly.min.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert script.content == (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()
    page = session.get("/sites/qx-chujing", params={"year": "2025"}).text
    assert '<script src="/static/plotly.min.js">' in page
    assert 'src="http' not in page and "cdn" not in page.lower()


def test_site_page_marks_exceedances_and_month_classes(demo_server: DemoServer) -> None:
    page = client(demo_server, "viewer").get("/sites/qx-chujing", params={"year": "2025"}).text
    assert 'id="month-classes"' in page and ">IV<" in page  # October: class IV against target III
    assert 'data-exceedances="1"' in page or 'data-exceedances="2"' in page
    assert "III 限值 20" in page  # the target class limit line of COD


def test_unknown_site_is_a_404_page(demo_server: DemoServer) -> None:
    answer = client(demo_server, "viewer").get("/sites/nowhere")
    assert answer.status_code == 404 and "nowhere" in answer.text


@pytest.mark.parametrize(("path", "params"), [("/overview", {"month": "2025-13"}), ("/sites", {"month": "May"}),
                                              ("/sites/qx-chujing", {"year": "20x5"})])  # fmt: skip
def test_a_bad_month_or_year_is_a_400_page_naming_it(
    demo_server: DemoServer, path: str, params: dict[str, str]
) -> None:
    answer = client(demo_server, "viewer").get(path, params=params)
    assert answer.status_code == 400
    assert next(iter(params.values())) in answer.text


def _open_alert(session: httpx.Client) -> str:
    page = session.get("/alerts").text
    marker = 'data-status="open"'
    assert marker in page
    before = page[: page.index(marker)]
    return before[before.rindex('data-alert="') + len('data-alert="') :].split('"')[0]


def test_acknowledging_needs_the_form_token(demo_server: DemoServer) -> None:
    session = client(demo_server, "operator")
    alert_id = _open_alert(session)
    answer = session.post(f"/alerts/{alert_id}/acknowledge", data={"note": "forged", "csrf": "0" * 64})
    assert answer.status_code == 403
    assert f'data-alert="{alert_id}" data-status="open"' in session.get("/alerts").text


def test_viewers_cannot_acknowledge(demo_server: DemoServer) -> None:
    operator, viewer = client(demo_server, "operator"), client(demo_server, "viewer")
    alert_id = _open_alert(operator)
    page = viewer.get("/alerts").text
    assert 'name="csrf"' not in page  # no acknowledge form for a viewer
    token = page.split('name="csrf" value="')[1].split('"')[0] if 'name="csrf"' in page else "x"
    answer = viewer.post(f"/alerts/{alert_id}/acknowledge", data={"note": "x", "csrf": token})
    assert answer.status_code == 403
    assert f'data-alert="{alert_id}" data-status="open"' in operator.get("/alerts").text


def test_upload_of_a_lab_sheet_stores_good_rows_and_places_each_bad_one(demo_server: DemoServer) -> None:
    session = client(demo_server, "operator")
    token = session.get("/upload").text.split('name="csrf" value="')[1].split('"')[0]
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "十二月"
    for row in [
        ["断面名称", "采样时间", "氨氮(mg/L)", "总磷(mg/L)"],
        ["桃溪汇入口断面", "2025-12-30 10:00", 0.31, "0.02L"],
        ["未知断面", "2025-12-30 10:00", 1, 1],
        ["清溪城区断面", "2025-13-40", 1, 1],
    ]:
        sheet.append(row)
    content = io.BytesIO()
    book.save(content)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    answer = session.post(
        "/upload", data={"csrf": token}, files={"file": ("十二月手工监测.xlsx", content.getvalue(), xlsx)}
    )
    assert answer.status_code == 200, answer.text
    assert "已入库: 2" in answer.text
    rows = answer.text.split('id="upload-errors"')[1].split("</table>")[0]
    assert "十二月手工监测.xlsx:十二月:行 3:列 A" in rows and "未知点位 &#39;未知断面&#39;" in rows  # Chinese page
    assert "十二月手工监测.xlsx:十二月:行 4:列 B" in rows and "2025-13-40" in rows
    stored = demo_server.store.read(
        sites=["tx-huiru"], statistics=["sample"], start=dt.datetime(2025, 12, 30, tzinfo=dt.UTC)
    )
    assert sorted(stored["parameter"]) == ["w21003", "w21011"]
    assert bool(stored.set_index("parameter").loc["w21011", "non_detect"])


def test_upload_needs_the_form_token(demo_server: DemoServer) -> None:
    session = client(demo_server, "operator")
    answer = session.post("/upload", data={"csrf": "nope"}, files={"file": ("x.csv", b"a,b\n", "text/csv")})
    assert answer.status_code == 403


def test_api_docs_and_their_assets_come_from_the_service_cached(demo_server: DemoServer) -> None:
    session = client(demo_server)
    page = session.get("/api/v1/docs")
    assert page.status_code == 200
    assert "/api/v1/docs/assets/swagger-ui-bundle.js" in page.text and "cdn" not in page.text.lower()
    for name, kind in (("swagger-ui-bundle.js", "text/javascript"), ("swagger-ui.css", "text/css")):
        asset = session.get(f"/api/v1/docs/assets/{name}")
        assert asset.status_code == 200 and asset.headers["content-type"].startswith(kind)
        assert asset.headers["cache-control"] == "public, max-age=86400" and len(asset.content) > 100_000
    missing = session.get("/api/v1/docs/assets/evil.js")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    assert "swagger-ui-bundle.js" in missing.json()["detail"]


def test_numbers_in_tables_are_never_in_scientific_notation(demo_server: DemoServer) -> None:
    """The demo's mercury non-detects (detection limit 0.00004 mg/L) read 0.00004L, not 4e-05L."""
    html = client(demo_server, "viewer").get("/sites", params={"month": "2025-10"}).text
    latest = html.split('<table id="site-list">')[1].split("</table>")[0]
    assert "0.00004L" in latest and "e-0" not in latest and "e+0" not in latest


def test_exceedance_multiples_read_as_times(demo_server: DemoServer) -> None:
    html = client(demo_server, "viewer").get("/overview", params={"month": "2025-12"}).text
    assert "超标 " in html and " 倍" in html
    english = client(demo_server, "viewer").get("/overview", params={"month": "2025-12", "lang": "en"}).text
    assert "over by " in english and " times" in english


def test_overview_says_plainly_which_targets_are_placeholders(demo_server: DemoServer) -> None:
    """The shipped indicators.yaml marks every indicator `confirmed: false` until the bureau checks it."""
    from service.compliance_views import load_indicator_system

    system = load_indicator_system(demo_server.config.folder)
    unconfirmed = [i.name_zh for i in system.indicators if not i.confirmed]
    assert unconfirmed  # the demo ships placeholders
    html = client(demo_server, "viewer").get("/overview", params={"month": "2025-10"}).text
    notice = html.split('<p class="warning placeholders" data-period="2025-10">')[1].split("</p>")[0]
    assert "尚未经本局确认（confirmed: false）" in notice and "indicators.yaml" in notice
    for name in unconfirmed:
        assert name in notice
    assert html.count('class="placeholder-mark"') >= len(unconfirmed)


def test_a_site_page_opens_on_its_exceeding_parameters_and_picks_any_other(demo_server: DemoServer) -> None:
    session = client(demo_server, "viewer")
    html = session.get("/sites/qx-chujing", params={"year": "2025"}).text
    picker = html.split('<form method="get" id="parameter-picker"')[1].split("</form>")[0]
    codes = demo_server.config.items_of(demo_server.config.sites["qx-chujing"])
    assert all(f'value="{code}"' in picker for code in codes if code != "w01010")  # every charted item offered
    shown = html.count('<div class="chart" id="chart-')
    assert 1 <= shown < picker.count('name="param"')  # not every chart at once
    assert '<div class="chart" id="chart-w01018" data-exceedances="' in html  # COD over the target: shown
    one = session.get("/sites/qx-chujing", params=[("year", "2025"), ("param", "w01001")]).text
    assert one.count('<div class="chart" id="chart-') == 1 and 'id="chart-w01001"' in one


@pytest.mark.parametrize(
    ("site", "facts"),
    [
        ("qx-chujing", ["清溪下游农业用水区", "出境", "清溪 / 清溪流域", "GB3838-2002 地表水环境质量标准"]),
        ("qx-rujing", ["清溪上游保留区", "入境"]),
        ("wwtp-chengdong", ["GB18918-2002 城镇污水处理厂污染物排放标准", "2009-06-30"]),
    ],
)
def test_a_site_page_states_what_its_kind_needs(demo_server: DemoServer, site: str, facts: list[str]) -> None:
    html = client(demo_server, "viewer").get(f"/sites/{site}", params={"year": "2025"}).text
    stated = html.split('<dl class="facts" id="site-facts">')[1].split("</dl>")[0]
    for fact in facts:
        assert f"<dd>{fact}</dd>" in stated


def dissolved_oxygen_class(mg_l: float) -> str:
    """GB 3838-2002 Table 1 item 4 (dissolved oxygen ≥): I 7.5 (饱和率 90 %), II 6, III 5, IV 3, V 2; below: 劣V."""
    for klass, floor in (("I", 7.5), ("II", 6.0), ("III", 5.0), ("IV", 3.0), ("V", 2.0)):
        if mg_l >= floor:
            return klass
    return "劣V"


def test_latest_values_show_each_stations_hourly_values_with_their_classes(demo_server: DemoServer) -> None:
    latest = demo_server.store.latest()
    hourly = latest.loc[latest["statistic"] == "hour_avg"]
    stations = sorted(set(hourly["site"]))
    html = client(demo_server, "viewer").get("/latest").text
    table = html.split('<table id="latest-values">')[1].split("</table>")[0]
    assert sorted(part.split('"')[0] for part in table.split('<tr data-site="')[1:]) == stations
    checked = 0
    for site in stations:
        row = table.split(f'<tr data-site="{site}">')[1].split("</tr>")[0]
        oxygen = hourly.loc[(hourly["site"] == site) & (hourly["parameter"] == "w01009"), "value"]
        if site == "wwtp-chengdong" or oxygen.empty:
            continue
        cell = row.split('<td data-code="w01009"')[1].split("</td>")[0]
        assert f'data-class="{dissolved_oxygen_class(float(oxygen.iloc[0]))}"' in cell
        checked += 1
    assert checked >= 3  # the four sections' automatic stations (the outgoing one at least)
    assert '溶解氧<br><span class="muted">mg/L</span>' in table


def test_the_map_draws_each_located_site_in_its_class_colour_over_the_outline_and_rivers(
    demo_server: DemoServer,
) -> None:
    """/map: every demo site has a location; each links to its page with the colour of its class in
    /api/v1/evaluations for the month (plants have none: grey); map.geojson gives one outline and two
    rivers (清溪, 桃溪). No tile server: nothing but the page itself is loaded."""
    page = client(demo_server, "viewer").get("/map", params={"month": "2025-10"}).text
    bearer = {"Authorization": f"Bearer {demo_server.keys['viewer']}"}
    evaluated = client(demo_server).get("/api/v1/evaluations", params={"period": "2025-10"}, headers=bearer).json()
    classes = {s["site"]: s["class"] for s in evaluated["sites"]}
    for site in demo_server.config.sites.values():
        name = classes.get(site.id)
        colour = CLASS_COLOURS[name]["hex"] if name else "#9e9e9e"
        link = f'<a href="/sites/{site.id}" data-site="{site.id}" data-class="{name or ""}">'
        assert link in page
        assert f'fill="{colour}"' in page.split(link, 1)[1].split("</a>", 1)[0]
    assert page.count('class="outline"') == 1 and page.count('class="river"') == 2
    assert "http://" not in page.split('<svg id="site-map"', 1)[1].split("</svg>", 1)[0].replace("http://www.w3", "")


def test_the_map_projection_by_hand(tmp_path: Path) -> None:
    """Sites at (118.0, 30.0) and (118.1, 30.1): longitudes shrink by cos 30.05° = 0.86559, the larger
    span (0.1° of latitude) fills 800 - 2 × 40 units, so 7,200 units a degree and a height of
    0.1 × 7,200 + 80 = 800; A at (40, 40 + 0.1 × 7,200) = (40, 760), B at (40 + 0.1 × 0.86559 × 7,200,
    40) = (663.2, 40). A site without a location is listed, not drawn."""
    folder = tmp_path / "config"
    folder.mkdir()
    (folder / "sites.yaml").write_text(
        "sites:\n"
        "  - {id: a, name: 甲, kind: section, standard: GB3838-2002, target: III, location: [118.0, 30.0]}\n"
        "  - {id: b, name: 乙, kind: section, standard: GB3838-2002, target: III, location: [118.1, 30.1]}\n"
        "  - {id: c, name: 丙, kind: section, standard: GB3838-2002, target: III}\n",
        encoding="utf-8",
    )
    drawn = site_map(Configuration.load(folder), {"a": "IV"}, load_geojson(folder))
    assert drawn["height"] == 800
    assert [(s["site"].id, s["x"], s["y"], s["colour"]) for s in drawn["sites"]] == [
        ("a", 40.0, 760.0, CLASS_COLOURS["IV"]["hex"]),
        ("b", 663.2, 40.0, "#9e9e9e"),
    ]
    assert [s.id for s in drawn["unplaced"]] == ["c"]


def test_a_map_geojson_that_is_not_geojson_is_refused_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "map.geojson").write_text("<kml/>", encoding="utf-8")
    with pytest.raises(ConfigError, match="map.geojson: not GeoJSON"):
        load_geojson(tmp_path)
