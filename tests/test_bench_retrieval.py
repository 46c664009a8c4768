"""The Q&A quality and latency benchmark sections (bench/quality.py, bench/latency.py) run in
smoke mode and report sane figures; the generated knowledge bases (bench/kbgen.py) load, hold
the real entries and their variants, and do not steal a real question from its real entry."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bench import latency, quality
from bench.kbgen import VARIANT_TAG, build_base
from knowledge import KnowledgeBase, load_knowledge
from knowledge.expectations import met
from tests.test_retrieval_accuracy import _correct


def _check_systems(split: dict) -> None:
    assert split["n_in"] > 0 and split["n_out"] > 0
    for name in quality.SYSTEMS:
        figures = split["systems"][name]
        assert 0 <= figures["correct_in"] <= split["n_in"]
        assert 0 <= figures["correct_out"] <= split["n_out"]
        for key in ("top1", "abstention", "mrr"):
            assert 0.0 <= figures[key] <= 1.0, (name, key, figures[key])
    ours = split["systems"]["ours"]
    distribution = split["score_distribution"]
    assert sum(group["n"] for group in distribution.values()) == split["n_in"] + split["n_out"]
    assert distribution["in scope, answered correctly"]["n"] == ours["correct_in"]
    assert distribution["out of scope, abstained (correct)"]["n"] == ours["correct_out"]
    misses = split["n_in"] - ours["correct_in"] + split["n_out"] - ours["correct_out"]
    assert len(split["misses"]) == misses
    assert sum(c["n"] for c in split["categories"].values()) == split["n_in"] + split["n_out"]


def standing_in_for_every_batch(path: Path) -> list[quality.LaterBatch]:
    """The later blind batches, each read from `path` (one small set for all)."""
    return [batch._replace(path=path) for batch in quality.LATER_BATCHES]


def test_the_quality_section_runs_and_its_figures_add_up(tmp_path: Path) -> None:
    # A small blind set in the blind set's format, so its dev/test and eligibility paths run.
    project = yaml.safe_load(quality.PROJECT_SET.read_text("utf-8"))
    blind = {
        "in_scope": [
            {**case, "class": "paraphrase", "split": "dev" if i % 2 else "test"}
            for i, case in enumerate(project["in_scope"][:8])
        ],
        "out_of_scope": [
            {"q": q, "class": "other", "split": "dev" if i % 2 else "test"}
            for i, q in enumerate(project["out_of_scope"][:6])
        ],
        "eligibility": [
            {"q": "我家一年收入八千能不能纳入监测", "split": "dev"},
            {"q": "四口人年收入三万算不算", "split": "test"},
        ],
    }
    blind_path = tmp_path / "qa_blind.yaml"
    blind_path.write_text(yaml.safe_dump(blind, allow_unicode=True), "utf-8")

    # the same small set stands in for the second to eighteenth batches too
    section = quality.run(True, blind_path, standing_in_for_every_batch(blind_path))

    assert section.key == "quality"
    # project; blind dev, blind test; second to forty-third batches dev, test
    assert section.markdown.count("| system |") == 87
    assert section.data["blind2"]["dev"] and section.data["blind3"]["dev"]
    assert "MRR@5" in section.markdown and "Eligibility" in section.markdown
    _check_systems(section.data["project"])
    for split in ("dev", "test"):
        _check_systems(section.data["blind"][split])
    eligibility = section.data["blind"]["eligibility"]
    assert eligibility["dev"]["n"] == 1 and eligibility["test"]["n"] == 1
    for counts in eligibility.values():
        for name in quality.SYSTEMS:
            assert 0 <= counts[f"{name}_answered"] <= counts["n"]


def test_unanswerable_questions_answered_from_another_document_are_counted_apart(
    tmp_path: Path,
) -> None:
    """A question set written from the plan alone calls "四个不摘是哪四个" unanswerable; the
    assistant answers it from the national document it cites. The report says how many wrong
    answers came from such entries, per split and over the unread test halves together."""
    blind = {
        "in_scope": [
            {"q": "集中排查要搞多久", "expect": [["一个月"]], "class": "plain", "split": s}
            for s in ("dev", "test")
        ],
        "out_of_scope": [
            {"q": "“四个不摘”具体是哪四个？", "class": "same_nouns", "split": "test"},
            {"q": "这次排查以什么为单位开展？", "class": "same_nouns", "split": "test"},
            {"q": "今天天气怎么样", "class": "other", "split": "test"},
            {"q": "今天天气怎么样", "class": "other", "split": "dev"},
        ],
    }
    path = tmp_path / "qa_blind.yaml"
    path.write_text(yaml.safe_dump(blind, allow_unicode=True), "utf-8")
    later = [b for b in standing_in_for_every_batch(path) if b.unread_test][:2]

    section = quality.run(False, path, later)

    test_half = section.data[later[0].key]["test"]
    assert test_half["systems"]["ours"]["correct_out"] == 1
    assert test_half["out_answered_citing_elsewhere"] == 1  # 四个不摘, not 以家庭为单位
    together = section.data["unread_test_halves"]
    assert together["batches"] == 2 and together["n_out"] == 6
    assert together["correct_out"] == 2 and together["out_answered_citing_elsewhere"] == 2
    assert "were those all right answers, abstention would be 66.7%" in section.markdown


def test_without_a_blind_set_the_quality_section_says_so(tmp_path: Path) -> None:
    absent = tmp_path / "absent.yaml"
    section = quality.run(True, absent, standing_in_for_every_batch(absent))
    assert section.data["blind"] is None
    assert not any(batch.key in section.data for batch in quality.LATER_BATCHES)
    assert "not there yet" in section.markdown


def test_the_quality_judge_is_the_accuracy_tests_judge(kb: KnowledgeBase) -> None:
    cases = yaml.safe_load(quality.PROJECT_SET.read_text("utf-8"))["in_scope"]
    for case in cases[::10]:
        answer = kb.ask(case["q"])
        ours = answer.entry is not None and met(answer.entry.answer, case["expect"])
        assert ours == _correct(kb, case), case["q"]


def test_project_categories_come_from_the_comments() -> None:
    questions = quality.load_project_set().questions
    categories = {q.category for q in questions}
    assert "—" not in categories
    assert len(categories) > 10


def test_the_latency_section_runs_and_its_figures_add_up() -> None:
    section = latency.run(True)

    assert section.key == "latency"
    assert "ours p50 (ms)" in section.markdown and "in scope correct" in section.markdown
    sizes = section.data["sizes"]
    assert [s["size"] for s in sizes] == [plan.size for plan in latency.SMOKE_PLAN]
    for size in sizes:
        assert size["entries"] == size["size"]
        assert size["load_s"] > 0 and size["rss_loaded_mib"] >= size["rss_imported_mib"] > 0
        assert 0 < size["asked"] <= section.data["questions"]
        assert 0 < size["ours_p50_ms"] <= size["ours_p99_ms"]
        assert 0 < size["fuzz_p50_ms"] <= size["fuzz_p99_ms"]
        accuracy = size["accuracy"]
        good_in, n_in = accuracy["in_scope"]
        good_out, n_out = accuracy["out_of_scope"]
        assert n_in + n_out == size["asked"]
        assert 0 <= good_in <= n_in and 0 <= good_out <= n_out
        assert accuracy["variant_answered_in"] <= n_in - good_in
    assert section.data["growth"]["load"] > 0


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[KnowledgeBase, KnowledgeBase]:
    real = load_knowledge()
    directory = tmp_path_factory.mktemp("kb")
    base = build_base(len(real.entries) * 3, directory, real)
    assert base.variant_count == len(real.entries) * 2
    return real, load_knowledge(directory)


def test_a_generated_base_loads_with_the_real_entries_and_their_variants(
    generated: tuple[KnowledgeBase, KnowledgeBase],
) -> None:
    real, big = generated
    assert len(big.entries) == len(real.entries) * 3
    for entry_id, entry in real.entries.items():
        assert big.entries[entry_id] == entry
        variants = [big.entries[f"{entry_id}-v{n}"] for n in (1, 2)]
        for variant in variants:
            assert VARIANT_TAG in variant.tags
            assert variant.answer.startswith(f"（{VARIANT_TAG}：")
            assert variant.question != entry.question
            assert variant.source == entry.source
        assert variants[0].question != variants[1].question
    # The real figures are not in a variant's answer.
    assert "9100" in real.entries["monitoring-line"].answer
    assert "9100" not in big.entries["monitoring-line-v1"].answer


def test_a_real_question_is_still_answered_by_its_real_entry(
    generated: tuple[KnowledgeBase, KnowledgeBase],
) -> None:
    real, big = generated
    for entry_id in ("monitoring-line", "plan-drafting", "target-groups"):
        question = real.entries[entry_id].question
        answer = big.ask(question)
        assert answer.entry is not None and answer.entry.id == entry_id, (
            question,
            answer.best_entry_id,
        )


def test_a_category_named_alike_in_and_out_of_scope_is_counted_apart(tmp_path) -> None:
    blind = {
        "in_scope": [
            {"q": "监测线是多少", "expect": [["9100"]], "class": "dialect", "split": "dev"},
            {"q": "排查搞多久", "expect": [["一个月"]], "class": "dialect", "split": "dev"},
        ],
        "out_of_scope": [{"q": "今天天气怎么样", "class": "dialect", "split": "dev"}],
    }
    path = tmp_path / "qa_blind.yaml"
    path.write_text(yaml.safe_dump(blind, allow_unicode=True), "utf-8")
    section = quality.run(True, path, standing_in_for_every_batch(path))
    categories = section.data["blind"]["dev"]["categories"]
    assert categories["dialect (in)"]["n"] == 2 and categories["dialect (out)"]["n"] == 1


def test_a_test_half_kept_unread_has_its_misses_counted_but_not_shown(tmp_path: Path) -> None:
    """Whoever reads the report of a batch whose test half is kept unread learns how many
    questions it missed, by category, and none of the questions."""
    unmet = [["这个字符串不在任何回答里"]]  # an expectation no answer meets: always a miss
    blind = {
        "in_scope": [
            {"q": "监测线是多少", "expect": unmet, "class": "plain", "split": "dev"},
            {"q": "排查要多久", "expect": unmet, "class": "plain", "split": "test"},
        ],
        "out_of_scope": [],
    }
    path = tmp_path / "qa_blind9.yaml"
    path.write_text(yaml.safe_dump(blind, allow_unicode=True), "utf-8")
    batch = quality.LaterBatch("blind9", path, "A batch", unread_test=True)
    section = quality.run(True, path, [batch])
    report = section.markdown.split("### A batch", 1)[1]
    assert "监测线是多少" in report  # the dev half's miss is shown
    assert "排查要多久" not in report  # the test half's is not
    assert "1 misses (their questions left out" in report
    assert section.data["blind9"]["test"]["misses"] == [{"category": "plain", "in_scope": True}]
