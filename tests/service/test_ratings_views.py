"""`wqmon ratings`, `/api/v1/ratings` and the trophic and season fields of `wqmon evaluate`, over real stores.

Hand-worked county (all samples on the 10th): river 清溪 has five sections r1-r5, river 桃溪 one
(t1), reservoir point hk; all in basin 清溪流域. July 2026 (GB 3838-2002 表1, rivers):
  r1 NH3-N 0.1 (I), TP 0.1 (II) -> II      r2 NH3-N 0.4 (II), TP 0.1 -> II
  r3 NH3-N 0.8 (III) -> III                r4 NH3-N 1.2 (IV) -> IV        r5 NH3-N 2.5 -> 劣V
  t1 NH3-N 0.5 (II), TP 0.25 (IV) -> IV    hk (lake TP column) TP 0.1 -> IV
"""

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from service.cli import app
from service.demo import demo_readings
from service.ratings_view import ratings_for
from store import open_store
from tests.reading_builders import samples
from tests.service.conftest import LiveApi

SITES = """
sites:
  - {id: r1, name: 清溪一号断面, kind: section, standard: GB3838-2002, target: III, river: 清溪, basin: 清溪流域}
  - {id: r2, name: 清溪二号断面, kind: section, standard: GB3838-2002, target: III, river: 清溪, basin: 清溪流域}
  - {id: r3, name: 清溪三号断面, kind: section, standard: GB3838-2002, target: III, river: 清溪, basin: 清溪流域}
  - {id: r4, name: 清溪四号断面, kind: section, standard: GB3838-2002, target: III, river: 清溪, basin: 清溪流域}
  - {id: r5, name: 清溪五号断面, kind: section, standard: GB3838-2002, target: III, river: 清溪, basin: 清溪流域}
  - {id: t1, name: 桃溪断面, kind: section, standard: GB3838-2002, target: III, river: 桃溪, basin: 清溪流域}
  - {id: hk, name: 青山水库中心点, kind: lake, standard: GB3838-2002, target: III, basin: 清溪流域}
"""


def _readings() -> pd.DataFrame:
    july, base = ["2026-07-10"], ["2025-07-10"]
    frames = [
        samples(site, "w21003", july, [value])
        for site, value in {"r1": 0.1, "r2": 0.4, "r3": 0.8, "r4": 1.2, "r5": 2.5, "t1": 0.5}.items()
    ]
    frames += [samples(site, "w21011", july, [0.1]) for site in ("r1", "r2", "r3", "r4", "r5", "hk")]
    frames += [samples("t1", "w21011", july, [0.25])]
    trophic = {"x-chlorophyll-a": 0.010, "w21001": 1.0, "x-transparency": 1.0, "w01019": 4.0}
    frames += [samples("hk", code, july, [value]) for code, value in trophic.items()]
    # base year: every 清溪 section NH3-N 1.0 and TP 0.2, CWQI 1.0 + 1.0 = 2.0
    frames += [samples(s, "w21003", base, [1.0]) for s in ("r1", "r2", "r3", "r4", "r5")]
    frames += [samples(s, "w21011", base, [0.2]) for s in ("r1", "r2", "r3", "r4", "r5")]
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    folder = tmp_path_factory.mktemp("ratings")
    (folder / "config").mkdir()
    (folder / "config" / "sites.yaml").write_text(SITES, encoding="utf-8")
    url = f"duckdb:///{folder / 'store.duckdb'}"
    store = open_store(url)
    store.write(_readings())
    store.close()
    return url, folder / "config"


def wqmon(county: tuple[str, Path], *args: str) -> dict:
    url, config = county
    result = CliRunner().invoke(app, [*args, "--json"], env={"WQMON_STORE": url, "WQMON_CONFIG_DIR": str(config)})
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_ratings_of_rivers_basin_and_county(county: tuple[str, Path]) -> None:
    body = wqmon(county, "ratings", "--period", "2026-07")
    assert body["base_period"] == "2025-07"
    rivers = {r["name"]: r for r in body["rivers"]}
    qingxi = rivers["清溪"]
    # five sections: class proportion. P(I-III) = 3/5 = 60 %, P(劣V) = 1/5 = 20 % -> 中度污染
    assert (qingxi["method"], qingxi["good_percent"], qingxi["worse_than_v_percent"]) == ("class proportion", 60, 20)
    assert (qingxi["rating_zh"], qingxi["colour"]["name"]) == ("中度污染", "orange")
    assert [s["sections"] for s in qingxi["shares"]] == [0, 2, 1, 1, 0, 1]
    # NH3-N over class III at r4 and r5: 2/5 = 40 %; TP 0.1 nowhere over 0.2
    assert qingxi["main_pollutants"] == [{"code": "w21003", "name": "氨氮", "exceedance_rate": 40.0}]
    assert qingxi["no_worse_than_v"] == {"answer": "no", "sites": [{"site": "r5", "name": "清溪五号断面"}]}
    # CWQI: r1 0.1 + 0.5 = 0.6, r2 0.9, r3 1.3, r4 1.7, r5 3.0 -> mean 1.5; base 2.0 -> ΔCWQI −25 %
    assert (qingxi["cwqi"], qingxi["base_cwqi"], qingxi["cwqi_change_percent"]) == (1.5, 2.0, -25.0)
    # one section: judged as that section, class IV -> 轻度污染; no base data -> no ΔCWQI
    taoxi = rivers["桃溪"]
    assert (taoxi["method"], taoxi["class"], taoxi["rating_zh"]) == ("single section", "IV", "轻度污染")
    assert (taoxi["cwqi"], taoxi["cwqi_change_percent"]) == (1.75, None)  # 0.5/1 + 0.25/0.2
    # basin and county: 7 sites, classes II II III IV 劣V IV IV: P(I-III) 3/7 = 42.86 %, P(劣V) 14.29 %
    county_body = body["county"]
    assert (county_body["good_percent"], county_body["worse_than_v_percent"]) == (42.86, 14.29)
    assert county_body["rating_zh"] == "轻度污染" and body["basins"][0]["rating_zh"] == "轻度污染"
    # NH3-N over III at r4, r5 of the 6 sites that measure it: 33.33 %; TP at t1 (0.25 > 0.2) and hk
    # (0.1 > lake 0.05) of 7: 28.57 %
    assert [(p["code"], p["exceedance_rate"]) for p in county_body["main_pollutants"]] == [
        ("w21003", 33.33),
        ("w21011", 28.57),
    ]
    # county CWQI: rivers 7.5 + 1.75 over 6 sections, lake hk TP 0.1/0.05 + CODMn 4/6 = 2.6667 over 1:
    # (9.25 + 2.6667) / 7 = 1.70; base: rivers only, 2.0 -> ΔCWQI (1.70238 − 2)/2 = −14.88 %
    assert (county_body["cwqi"], county_body["base_cwqi"], county_body["cwqi_change_percent"]) == (1.7, 2.0, -14.88)
    # t1 and hk have no base-year class: whether the county takes part in the ΔCWQI ranking is open
    assert county_body["cwqi_change_ranked"]["ranked"] is None
    assert body["class_colours"]["劣V"]["name"] == "red"


def test_ratings_of_one_river_and_an_unknown_one(county: tuple[str, Path]) -> None:
    body = wqmon(county, "ratings", "--period", "2026-07", "--river", "桃溪")
    assert [r["name"] for r in body["rivers"]] == ["桃溪"] and [b["name"] for b in body["basins"]] == ["清溪流域"]
    url, config = county
    result = CliRunner().invoke(
        app,
        ["ratings", "--period", "2026-07", "--river", "黄河"],
        env={"WQMON_STORE": url, "WQMON_CONFIG_DIR": str(config)},
    )
    assert result.exit_code != 0 and "river '黄河' has no rated sections; rivers: 桃溪, 清溪" in result.output


def test_evaluate_gives_lake_sites_their_trophic_state(county: tuple[str, Path]) -> None:
    """hk: chl a 10 mg/m³, TP 0.1, TN 1.0, SD 1.0, CODMn 4. TLI(TP) = 10 (9.436 + 1.624 ln 0.1) = 56.96602;
    the others as in tests/models/methods/test_trophic.py. Σ r² TLI = 50.00607 + 0.7056 × 56.96602
    + 36.66597 + 35.25790 + 26.16393 = 188.28909; / 3.7558 = 50.13 -> 轻度富营养."""
    body = wqmon(county, "evaluate", "--period", "2026-07")
    sites = {s["site"]: s for s in body["sites"]}
    trophic = sites["hk"]["trophic"]
    assert trophic["tli"] == pytest.approx(50.13, abs=0.005)
    assert (trophic["state_zh"], trophic["missing"], trophic["reweighted"]) == ("轻度富营养", [], False)
    assert "trophic" not in sites["r1"] and "season" not in sites["r1"]


def test_evaluate_a_season_of_a_year(county: tuple[str, Path]) -> None:
    """The shipped example seasons put May-September in the wet season: July's samples count in
    2026-wet and not in 2026-dry."""
    wet = wqmon(county, "evaluate", "--period", "2026-wet")
    assert wet["period"] == "2026-wet" and len(wet["sites"]) == 7
    assert wet["sites"][0]["season"] == {"season": "wet", "name": "丰水期", "months": [5, 6, 7, 8, 9]}
    assert wqmon(county, "evaluate", "--period", "2026-dry")["sites"] == []


def test_ratings_over_http_for_viewer_and_scoring_keys(live: LiveApi) -> None:
    live.store.write(demo_readings())
    from models.configuration import Configuration

    expected = json.loads(json.dumps(ratings_for(Configuration.load(live.settings.config_dir), live.store, "2025")))
    for role in ("viewer", "scoring"):
        with live.client(role) as client:
            response = client.get("/api/v1/ratings", params={"period": "2025"})
        assert response.status_code == 200
        assert response.json() == expected
    assert [r["name"] for r in expected["rivers"]] == ["桃溪", "清溪"]
    with live.client("ingest") as client:
        assert client.get("/api/v1/ratings", params={"period": "2025"}).status_code == 403
    with live.client("viewer") as client:
        unknown = client.get("/api/v1/ratings", params={"period": "2025", "river": "黄河"})
        bad = client.get("/api/v1/ratings", params={"period": "2025-wetter"})
    assert unknown.status_code == 404 and unknown.headers["content-type"] == "application/problem+json"
    assert "黄河" in unknown.json()["detail"]
    assert bad.status_code == 422


def test_evaluate_one_site_reports_the_seasonal_kendall_beside_spearman(tmp_path: Path) -> None:
    """r1's NH3-N in January 1, 2, 4, 3 and in July 5, 5, 6, 8 over 2023-2026: as worked by hand in
    tests/models/test_trend.py, S = 9, Var = 294/18, p = 0.0478, Sen's slope 1.0 per year."""
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "sites.yaml").write_text(SITES, encoding="utf-8")
    url = f"duckdb:///{tmp_path / 'store.duckdb'}"
    store = open_store(url)
    days = [f"{year}-{month:02d}-10" for month in (1, 7) for year in (2023, 2024, 2025, 2026)]
    store.write(samples("r1", "w21003", days, [1, 2, 4, 3, 5, 5, 6, 8]))
    store.close()
    body = wqmon((url, tmp_path / "config"), "evaluate", "--site", "r1", "--period", "2023-01-01..2026-12-31")
    trend = body["trends"][0]
    assert (trend["code"], trend["n"]) == ("w21003", 8)  # Spearman over the eight months
    kendall = trend["seasonal_kendall"]
    assert (kendall["s"], kendall["seasons"], kendall["sen_slope_per_year"]) == (9, 2, 1.0)
    assert kendall["p"] == pytest.approx(0.0478, abs=0.0005) and kendall["verdict"] == "significantly worse"


def test_the_default_base_period_is_a_year_earlier() -> None:
    from models.period.periods import parse_period
    from service.ratings_view import previous_year

    assert [previous_year(parse_period(p)) for p in ("2026-07", "2026-Q3", "2026", "2026-wet")] == [
        "2025-07", "2025-Q3", "2025", "2025-wet",
    ]  # fmt: skip
    assert previous_year(parse_period("1900")) is None  # the store holds no year before 1900
    assert previous_year(parse_period("2026-03-01..2026-03-31")) is None


@pytest.mark.parametrize(("nh3n_now", "ranked"), [(0.4, False), (0.8, True)])
def test_a_county_clean_in_both_periods_is_left_out_of_the_change_ranking(
    tmp_path: Path, nh3n_now: float, ranked: bool
) -> None:
    """环办监测〔2017〕51号 (Ministry release 2017-06-16): a city whose every section is class II or
    better and meets its target both in the base period and now is not ranked on ΔCWQI. Base 2025-07:
    NH3-N 0.3 at both sections (II). Now 2026-07: 0.4 (II) -> left out; 0.8 (III) at one -> ranked."""
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "sites.yaml").write_text(
        "sites:\n"
        "  - {id: s1, name: 甲断面, kind: section, standard: GB3838-2002, target: III, river: 清溪}\n"
        "  - {id: s2, name: 乙断面, kind: section, standard: GB3838-2002, target: III, river: 清溪}\n",
        encoding="utf-8",
    )
    readings = pd.concat(
        [
            samples("s1", "w21003", ["2025-07-10", "2026-07-10"], [0.3, 0.4]),
            samples("s2", "w21003", ["2025-07-10", "2026-07-10"], [0.3, nh3n_now]),
        ],
        ignore_index=True,
    )
    url = f"duckdb:///{tmp_path / 'store.duckdb'}"
    store = open_store(url)
    store.write(readings)
    store.close()
    county = wqmon((url, tmp_path / "config"), "ratings", "--period", "2026-07")["county"]
    assert county["cwqi_change_ranked"]["ranked"] is ranked


def _county_of(tmp_path: Path, sites: str, readings: pd.DataFrame) -> tuple[str, Path]:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "sites.yaml").write_text("sites:\n" + sites, encoding="utf-8")
    url = f"duckdb:///{tmp_path / 'store.duckdb'}"
    store = open_store(url)
    store.write(readings)
    store.close()
    return url, tmp_path / "config"


def test_a_lake_is_judged_on_the_average_of_its_points_however_many(tmp_path: Path) -> None:
    """环办〔2011〕22号 §3.6: a lake's points are averaged per item and judged as one point, also with
    five points or more (no class proportions). Lake TP (GB 3838-2002 表1 湖、库: II ≤0.025,
    III ≤0.05, IV ≤0.1): p1-p4 0.02 (II), p5 0.30 (劣V). Proportions would say 4/5 = 80 % 良好;
    the mean (4 × 0.02 + 0.30) / 5 = 0.076 is class IV: 轻度污染, TP the main pollutant.
    Trophic state of the mean, TP alone: 10 (9.436 + 1.624 ln 0.076) = 10 (9.436 − 4.1852) = 52.51,
    轻度富营养 (50 < TLI ≤ 60), re-weighted over one parameter."""
    points = "".join(
        f"  - {{id: p{i}, name: 青山水库{i}号点, kind: lake, standard: GB3838-2002, target: III, lake: 青山水库}}\n"
        for i in range(1, 6)
    )
    readings = pd.concat(
        [samples(f"p{i}", "w21011", ["2026-07-10"], [0.02 if i < 5 else 0.30]) for i in range(1, 6)],
        ignore_index=True,
    )
    body = wqmon(_county_of(tmp_path, points, readings), "ratings", "--period", "2026-07")
    (lake,) = body["lakes"]
    assert (lake["name"], lake["n_sections"], lake["method"]) == ("青山水库", 5, "mean of points")
    assert (lake["class"], lake["rating_zh"]) == ("IV", "轻度污染")
    assert [p["code"] for p in lake["main_pollutants"]] == ["w21011"]
    assert (lake["trophic"]["tli"], lake["trophic"]["state_zh"]) == (52.51, "轻度富营养")
    assert (lake["trophic"]["parameters"], lake["trophic"]["reweighted"]) == (["w21011"], True)


@pytest.mark.parametrize(
    ("base_nh3n", "verdict", "delta"),
    [
        (1.8, "明显好转", 100.0),  # V 中度污染 -> II 优: three levels; ΔG 100 − ΔD 0
        (0.8, "有所好转", 0.0),  # III 良好 -> II 优: one level; I-III share 100 % both times
        (0.4, "无明显变化", 0.0),  # II 优 both times
    ],
)
def test_the_change_from_the_base_period_by_rating_level(
    tmp_path: Path, base_nh3n: float, verdict: str, delta: float
) -> None:
    """环办〔2011〕22号, trend between two periods: rating unchanged 无明显变化, one level 有所好转 /
    有所变差, two or more 明显好转 / 明显恶化. River NH3-N (II ≤0.5, III ≤1.0, V ≤2.0): both sections
    0.4 (II, 优) in 2026-07, `base_nh3n` in 2025-07."""
    sections = "".join(
        f"  - {{id: s{i}, name: 清溪{i}号断面, kind: section, standard: GB3838-2002, target: III, river: 清溪}}\n"
        for i in (1, 2)
    )
    readings = pd.concat(
        [samples(f"s{i}", "w21003", ["2025-07-10", "2026-07-10"], [base_nh3n, 0.4]) for i in (1, 2)],
        ignore_index=True,
    )
    body = wqmon(_county_of(tmp_path, sections, readings), "ratings", "--period", "2026-07")
    change = body["rivers"][0]["change"]
    assert (change["base_period"], change["verdict_zh"], change["delta_g_minus_d"]) == ("2025-07", verdict, delta)
    assert body["county"]["change"]["verdict_zh"] == verdict
