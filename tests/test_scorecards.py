"""Scorecards: reports whose grades are known (late, incomplete, prose against tables, copied) stored and graded."""

import json
import random
from decimal import Decimal

import pytest

from gxcrawl.archive import Archive
from gxcrawl.model import Fetch
from gxcrawl.recording import record
from gxcrawl.scorecard import Scorecard, copied_share, narrative, score, timeliness
from gxcrawl.store.schema import open_database
from gxcrawl.store.scorecards import link_agency, rescore, store_scorecard
from support.samples import random_report, render_html

ORIGINAL = {
    "overview": "{year}年，{agency}以制度建设为抓手推进公开，全年共收到政府信息公开申请{new}件，办结{done}件。\n"
    "围绕优化营商环境，集中公开惠企政策{year}条解读材料。",
    "problems": "一是基层公开标准不一；二是解读形式单一。\n下一步将开展专题培训并完善目录。",
    "other": "{year}年度，本机关未收取信息处理费。",
}


def test_published_by_31_january_of_the_following_year_is_on_time():
    assert timeliness(2022, "2023-01-31") == (1, 0)
    assert timeliness(2022, "2023-03-02T08:00:00") == (0, 30)
    assert timeliness(2022, None) == (None, None)
    assert timeliness(2022, "not a date") == (None, None)
    assert timeliness(2022, "2022-12-31") == (None, None)  # before the year ended: the portal's date is wrong


def test_the_prose_against_the_tables_names_both_numbers():
    figures = {
        "applications.new.total": Decimal(95),
        "applications.carried_over.total": Decimal(3),
        "applications.total.total": Decimal(90),
        "review.total": Decimal(2),
        "suit_direct.total": Decimal(1),
        "suit_after_review.total": Decimal(0),
    }
    outcome, failures = narrative(
        "全年共收到政府信息公开申请17件，办结90件；被申请行政复议2件，行政诉讼1件。", 2022, figures
    )
    assert outcome == "failed"
    assert failures == ["R7 收到申请: the text says '共收到政府信息公开申请17件', the table 95"]
    # New applications with those carried over are the same count; a statement the tables cannot check is unknown.
    assert narrative("共收到政府信息公开申请98件。", 2022, figures) == ("ok", [])
    assert narrative("本年度未发生行政复议。", 2022, figures) == ("unknown", [])
    assert narrative("共收到申请5件", 2022, {"applications.new.total": None}) == ("unknown", [])


@pytest.mark.parametrize(
    "prose",
    [
        "全年办结申请90件，其中按期办结88件，延期办结2件。",  # parts of the total
        "收到行政复议申请1件，已办结1件。全年办结90件。",  # 办结 of a review
        "2021年收到政府信息公开申请25件，2022年共收到政府信息公开申请95件。",  # another year's figure
        "较上年收到申请增加30件；全年共收到政府信息公开申请95件。",  # a change, not the count
        "办结12个工作日内答复的申请90件。",  # 个 is no unit of applications
    ],
)
def test_figures_the_prose_qualifies_are_not_taken_for_the_tables(prose):
    figures = {"applications.new.total": Decimal(95), "applications.carried_over.total": Decimal(0)}
    figures |= {"applications.total.total": Decimal(90), "review.total": Decimal(1)}
    outcome, failures = narrative(prose, 2022, figures)
    assert failures == [] and outcome in ("ok", "unknown"), failures


def test_text_copied_from_the_year_before_with_its_numbers_changed_counts_as_copied():
    before = "2021年，本局认真落实条例要求推进公开。一是基层公开标准不一致。二是解读形式比较单一。"
    now = "2022年，本局认真落实条例要求推进公开。一是基层公开标准不一致。今年新建了政策解读专栏和问答库。"
    share = copied_share(now, before)
    assert 0.5 < share < 0.8
    assert copied_share(before.replace("2021", "2022"), before) == 1.0
    assert copied_share("全年收到申请17件，办结17件。", "全年收到申请9件，办结8件。") == 1.0
    assert copied_share(now, None) is None
    assert copied_share(now, "") is None  # no prose last year: nothing to copy from
    mandated = "本报告中所列数据的统计期限自2022年1月1日起至2022年12月31日止。"
    assert copied_share(mandated + now, mandated.replace("2022", "2021") + before) == share


def test_the_score_weighs_what_can_be_graded():
    perfect = Scorecard(
        on_time=1, days_late=0, sections_missing=[], cells_given=1.0, copied_share=0.0, rules_evaluated=6
    )
    assert score(perfect) == 100
    late = Scorecard(on_time=0, days_late=40, sections_missing=[], cells_given=1.0, copied_share=0.0, rules_evaluated=6)
    assert score(late) == 90  # 25 - 40/4 = 15 of 25
    unknown_date = Scorecard(sections_missing=["review"], cells_given=0.5, rules_failed=["R1"], copied_share=None)
    unknown_date.rules_evaluated = 4
    # complete: 12.5 × 5/6 + 12.5 × 0.5 = 16.67; consistent 20: 36.67 of 50
    assert score(unknown_date) == 73
    assert score(Scorecard()) is None  # nothing could be graded: no score, not a full one


@pytest.fixture
def graded(tmp_path):
    """Reports of three agencies, recorded as a crawl records them, with their scorecards."""
    db = open_database(tmp_path / "g.db")
    archive = Archive(tmp_path / "archive")
    samples = {}

    def publish(agency: str, year: int, published: str, sections: dict | None = None, changes: dict | None = None):
        sample = random_report(random.Random(f"{agency}{year}"), form="2021", agency=agency, year=year, busy=0.8)
        new, done = sample.figures["applications.new.total"], sample.figures["applications.total.total"]
        sample.sections = {
            key: text.format(year=year, agency=agency, new=new, done=done)
            for key, text in (sections or ORIGINAL).items()
        }
        sample.figures.update(changes or {})
        samples[agency, year] = sample
        url = f"http://portal/{agency}/{year}"
        record(
            db,
            archive,
            Fetch("henan", url, published=published, region="卫辉市"),
            [{"url": url, "body": render_html(sample)}],
        )
        return db.execute("SELECT id FROM reports WHERE agency = ? AND year = ?", [agency, year]).fetchone()[0]

    yield db, publish, samples
    db.close()


def card(db, report_id: str) -> dict:
    return dict(next(db.query("SELECT * FROM scorecards WHERE report_id = ?", [report_id])))


def test_a_corrected_republication_does_not_make_a_report_late(graded):
    db, publish, samples = graded
    report_id = publish("卫辉市商务局", 2022, "2023-01-10")
    sample = samples["卫辉市商务局", 2022]
    sample.sections["other"] = "（更正版）" + sample.sections["other"]
    url = "http://portal/卫辉市商务局/2022/更正"
    record(
        db,
        Archive(db.execute("PRAGMA database_list").fetchone()[2] + ".archive"),
        Fetch("henan", url, published="2023-05-01"),
        [{"url": url, "body": render_html(sample)}],
    )
    assert db.execute("SELECT published FROM reports WHERE id = ?", [report_id]).fetchone()[0] == "2023-05-01"
    assert (card(db, report_id)["on_time"], card(db, report_id)["days_late"]) == (1, 0)


def test_known_scorecards_are_stored_with_their_reports(graded):
    db, publish, samples = graded
    on_time = publish("卫辉市商务局", 2021, "2022-01-20")
    late_and_copied = publish("卫辉市商务局", 2022, "2023-03-02")
    first = card(db, on_time)
    assert (first["on_time"], first["days_late"], first["sections_missing"], first["narrative"]) == (1, 0, "[]", "ok")
    assert first["copied_share"] is None and first["rules_failed"] == "[]" and first["score"] == 100
    second = card(db, late_and_copied)
    assert (second["on_time"], second["days_late"]) == (0, 30)
    assert second["copied_share"] > 0.9  # the same prose, its years and figures aside
    assert second["score"] < first["score"]

    incomplete = publish(
        "卫辉市财政局",
        2022,
        "2023-01-10",
        {**ORIGINAL, "problems": ""},
        {key: None for key in samples["卫辉市商务局", 2022].figures if key.startswith(("review.", "suit_"))},
    )
    assert json.loads(card(db, incomplete)["sections_missing"]) == ["review", "problems"]
    assert card(db, incomplete)["cells_given"] < 0.95

    mismatch = publish("卫辉市教育局", 2022, "2023-01-10", {**ORIGINAL, "overview": "全年共收到政府信息公开申请17件。"})
    graded_mismatch = card(db, mismatch)
    assert graded_mismatch["narrative"] == "failed" and "R7" in json.loads(graded_mismatch["rules_failed"])
    new = samples["卫辉市教育局", 2022].figures["applications.new.total"]
    assert json.loads(graded_mismatch["narrative_failures"]) == [
        f"R7 收到申请: the text says '共收到政府信息公开申请17件', the table {new}"
    ]


def test_a_report_stored_later_regrades_the_year_after_it_and_r6_counts(graded):
    db, publish, samples = graded
    later = publish("郑州市教育局", 2023, "2024-01-05")
    assert card(db, later)["copied_share"] is None
    carried = samples["郑州市教育局", 2023].figures["applications.carried_over.total"]
    publish("郑州市教育局", 2022, "2023-01-05", changes={"applications.carried_forward.total": carried + 1})
    regraded = card(db, later)
    assert regraded["copied_share"] is not None and "R6" in json.loads(regraded["rules_failed"])


def test_a_renamed_agency_is_linked_and_graded_against_its_old_name(graded):
    db, publish, _ = graded
    publish("新乡市商务局", 2021, "2022-01-05")
    renamed = publish("新乡市商务和粮食局", 2022, "2023-01-05")
    assert card(db, renamed)["copied_share"] is None
    assert link_agency(db, "新乡市商务局", "新乡市商务和粮食局", "机构改革更名") == 2
    assert card(db, renamed)["copied_share"] is not None
    assert {row["agency"] for row in db.query("SELECT agency FROM scorecards")} == {"新乡市商务和粮食局"}
    with pytest.raises(ValueError, match="cannot lead back to itself"):
        link_agency(db, "新乡市商务和粮食局", "新乡市商务局")
    # A name linked to an old name leads to the current one; a link is changed only when asked.
    publish("新乡市商务委员会", 2020, "2021-01-05")
    assert link_agency(db, "新乡市商务委员会", "新乡市商务局") == 3
    assert (
        db.execute("SELECT agency FROM agency_aliases WHERE alias = '新乡市商务委员会'").fetchone()[0]
        == "新乡市商务和粮食局"
    )
    with pytest.raises(ValueError, match="say --replace"):
        link_agency(db, "新乡市商务局", "另一个局")


def test_rescore_grades_every_report_as_the_writer_did(graded):
    db, publish, _ = graded
    publish("卫辉市商务局", 2021, "2022-01-20")
    publish("卫辉市商务局", 2022, "2023-03-02")
    before = {row["report_id"]: row for row in db.query("SELECT * FROM scorecards")}
    db.conn.execute("DELETE FROM scorecards")
    assert rescore(db) == 2
    after = {row["report_id"]: row for row in db.query("SELECT * FROM scorecards")}
    assert {k: {c: v for c, v in row.items() if c != "scored_at"} for k, row in after.items()} == {
        k: {c: v for c, v in row.items() if c != "scored_at"} for k, row in before.items()
    }
    assert store_scorecard(db, "no/such/report") is None
