"""The ranking rules (models/rates/ranking.py): points, tie-breaks, shared ranks, CWQI, counties not answering."""

from typing import Any

from models.rates.ranking import CountyResult, ranking


def card(points: float, met: int, failed: int, *, vetoed: bool = False) -> dict[str, Any]:
    return {
        "points": points,
        "max_points": 100,
        "counts": {"达标": met, "基本达标": 17 - met - failed, "不达标": failed, "无数据": 0},
        "title": {"vetoed": vetoed},
    }


def county(id_: str, body: dict[str, Any] | None, cwqi: float | None = None, **more: Any) -> CountyResult:
    return CountyResult(id_, f"{id_}县", f"http://{id_}.example", body, cwqi, **more)


def test_points_then_more_met_then_fewer_failed_then_a_shared_rank() -> None:
    """p 97 first; q and r 96.5 with 7 达标 beat s 96.5 with 6; q (1 不达标) beats r (2);
    t and u are equal in everything: they share rank 5 and the next is 7."""
    body = ranking(
        [
            county("s", card(96.5, 6, 1)),
            county("r", card(96.5, 7, 2)),
            county("p", card(97.0, 5, 3)),
            county("q", card(96.5, 7, 1)),
            county("u", card(90.0, 5, 5)),
            county("t", card(90.0, 5, 5)),
            county("v", card(80.0, 1, 9, vetoed=True)),
        ],
        period="2026",
    )
    assert [(r["rank"], r["county"]) for r in body["counties"]] == [
        (1, "p"), (2, "q"), (3, "r"), (4, "s"), (5, "t"), (5, "u"), (7, "v")
    ]  # fmt: skip
    assert body["counties"][-1]["title_vetoed"] is True


def test_cwqi_ranks_lowest_first_over_the_counties_that_publish_it() -> None:
    """CWQI: the smaller the index, the cleaner the water (城市地表水环境质量排名: ranked from small to large)."""
    body = ranking(
        [county("a", card(95, 5, 1), cwqi=4.2), county("b", card(96, 5, 1)), county("c", card(90, 5, 1), cwqi=3.9)],
        period="2026",
    )
    assert [(r["rank"], r["county"], r["cwqi"]) for r in body["cwqi"]["counties"]] == [(1, "c", 3.9), (2, "a", 4.2)]
    assert body["cwqi"]["not_published"] == ["b"]
    assert [r["county"] for r in body["counties"]] == ["b", "a", "c"]  # points ranking is unchanged by CWQI


def test_a_county_not_answering_is_listed_unranked_with_its_last_good_answer() -> None:
    """A kept answer (97 points) is shown but not ranked: a stale answer must not outrank a fresh one."""
    body = ranking(
        [
            county("a", card(95, 5, 1)),
            county("b", None, error="refused", last_answered_at="2026-01-05T02:00:00+00:00", kept=card(97, 8, 0),
                   kept_at="2026-01-05T02:00:00+00:00"),
            county("c", None, error="timeout"),
        ],
        period="2026",
    )  # fmt: skip
    rows = body["counties"]
    assert [(r["rank"], r["county"], r["answered"], r["points"], r["stale"]) for r in rows] == [
        (1, "a", True, 95, False),
        (None, "b", False, 97, True),
        (None, "c", False, None, False),
    ]
    assert rows[1]["last_answered_at"] == "2026-01-05T02:00:00+00:00" and rows[2]["error"] == "timeout"
    assert body["not_answering"] == ["b", "c"]
