"""Retrieval through an index: the same answers as scoring every entry, at any size, and a
knowledge base that is built once and then read from disk."""

from __future__ import annotations

import random
import shutil
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from rapidfuzz import fuzz

import knowledge.base
import knowledge.retrieval
from knowledge.base import DATA_DIR, KnowledgeBase, load_knowledge
from knowledge.term_index import PART_CREDIT, TYPO_CREDIT, TYPO_RATIO
from knowledge.text import HomophoneFixer, as_dates

QUESTIONS = Path(__file__).parent / "data"


def _questions() -> list[str]:
    asked: list[str] = []
    for name in ("qa_questions.yaml", "qa_blind.yaml"):
        data = yaml.safe_load((QUESTIONS / name).read_text("utf-8"))
        for part in ("in_scope", "out_of_scope", "eligibility"):
            for item in data.get(part, []):
                asked.append(item if isinstance(item, str) else item["q"])
    return asked


@pytest.fixture(scope="module")
def crowded_kb(tmp_path_factory) -> KnowledgeBase:
    """The real entries among three near copies of each (another county in front of every
    phrasing), so the real one must win on what the question does not say."""
    folder = tmp_path_factory.mktemp("crowded") / "data"
    shutil.copytree(DATA_DIR, folder)
    entries = []
    for path in sorted((DATA_DIR / "entries").glob("*.yaml")):
        entries += yaml.safe_load(path.read_text("utf-8"))["entries"]
    copies = []
    for n, place in enumerate(("泾县", "郎溪县", "广德市")):
        for entry in entries:
            copy = {k: v for k, v in entry.items() if k != "related"}
            copy["id"] = f"{entry['id']}--copy{n}"
            copy["question"] = f"{place}{entry['question']}"
            copy["alternates"] = [f"{place}{a}" for a in entry["alternates"]]
            copy["answer"] = f"（{place}）" + entry["answer"]
            copies.append(copy)
    (folder / "entries" / "zz_copies.yaml").write_text(
        yaml.safe_dump({"entries": copies}, allow_unicode=True), "utf-8"
    )
    return load_knowledge(folder)


@pytest.mark.parametrize("which", ["real", "crowded"])
@pytest.mark.parametrize("head", [256, 7])
def test_the_index_ranks_exactly_as_scoring_every_entry(kb, crowded_kb, which, head, monkeypatch):
    """`head`: how many candidates are sorted up front; 7 makes scoring run past them."""
    base = kb if which == "real" else crowded_kb
    monkeypatch.setattr(knowledge.retrieval, "_SORTED_HEAD", 10**9)
    everything = {q: base.retriever.rank(q, limit=None)[1] for q in _questions()}
    monkeypatch.setattr(knowledge.retrieval, "_SORTED_HEAD", head)
    for question, reference in everything.items():
        _, pruned = base.retriever.rank(question, limit=3)
        assert pruned == reference[:3], question
        assert base.retriever.rank(question, limit=None)[1] == reference, question


def test_entries_that_cannot_reach_the_top_are_left_out_without_changing_the_top(
    crowded_kb, monkeypatch
):
    """Among near copies most entries share a word with the question: those whose best
    possible score is below the worst the best few are sure of are left out before their
    phrasings are looked at, and the best few stay exactly the same."""
    looked_at = 0
    overlaps = knowledge.retrieval.Retriever._best_overlaps

    def counting(self, words, hits, weights, matches, total, only=None):
        nonlocal looked_at
        looked_at += self.index.size if only is None else int(only.sum())
        return overlaps(self, words, hits, weights, matches, total, only)

    monkeypatch.setattr(knowledge.retrieval.Retriever, "_best_overlaps", counting)
    monkeypatch.setattr(knowledge.retrieval, "_PRUNE_ABOVE", 10**9)
    every = {q: crowded_kb.retriever.rank(q, limit=3)[1] for q in _questions()}
    without_leaving_out, looked_at = looked_at, 0
    monkeypatch.setattr(knowledge.retrieval, "_PRUNE_ABOVE", 0)
    for question, reference in every.items():
        assert crowded_kb.retriever.rank(question, limit=3)[1] == reference, question
    assert looked_at < without_leaving_out / 2


@pytest.mark.parametrize("which", ["real", "crowded"])
def test_phrasings_too_short_or_long_to_matter_are_skipped_without_changing_a_score(
    kb, crowded_kb, which, monkeypatch
):
    base = kb if which == "real" else crowded_kb
    monkeypatch.setattr(knowledge.retrieval, "_SKIP_SHORT_REACH", False)
    compared_all = {q: base.retriever.rank(q, limit=None)[1] for q in _questions()}
    monkeypatch.setattr(knowledge.retrieval, "_SKIP_SHORT_REACH", True)
    for question, reference in compared_all.items():
        assert base.retriever.rank(question, limit=None)[1] == reference, question


def test_phrasings_that_cannot_reach_the_top_are_skipped_without_changing_the_top(
    crowded_kb, monkeypatch
):
    """Among near copies many phrasings score close: once the best few are known, those that
    could not beat them are not compared, and the best few stay exactly the same."""
    compared = 0

    def counting(queries, choices, **kwargs):
        nonlocal compared
        compared += len(choices)
        return cdist(queries, choices, **kwargs)

    cdist = knowledge.retrieval.process.cdist
    monkeypatch.setattr(knowledge.retrieval.process, "cdist", counting)
    monkeypatch.setattr(knowledge.retrieval, "_SKIP_BELOW_TOP", False)
    every = {q: crowded_kb.retriever.rank(q, limit=3)[1] for q in _questions()}
    without_skipping, compared = compared, 0
    monkeypatch.setattr(knowledge.retrieval, "_SKIP_BELOW_TOP", True)
    for question, reference in every.items():
        assert crowded_kb.retriever.rank(question, limit=3)[1] == reference, question
    assert compared < without_skipping


def test_questions_ranked_in_several_threads_at_once_rank_as_one_after_another(crowded_kb):
    """Each thread has its own per-phrasing scratch arrays, left zeroed after every question."""
    questions = _questions()
    alone = [crowded_kb.retriever.rank(q)[1] for q in questions]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda q: crowded_kb.retriever.rank(q)[1], questions * 2))
    assert together == alone * 2


def test_real_questions_find_the_real_entry_among_near_copies(kb, crowded_kb):
    """Copies almost never answer, and the answers stay those of the real base. (Not always:
    IDF shifts with four times the entries, and a copy's county name can be segmented or
    typo-repaired into a word the question shares, so a borderline question may change.)"""
    questions = _questions()
    same = copies = 0
    for question in questions:
        alone, crowded = kb.ask(question), crowded_kb.ask(question)
        copies += crowded.entry is not None and "--copy" in crowded.entry.id
        same += (crowded.entry and crowded.entry.id) == (alone.entry and alone.entry.id)
    assert copies <= 0.02 * len(questions)
    assert same >= 0.95 * len(questions)


def _soft_matches_by_scan(vocabulary: frozenset[str], word: str) -> dict[str, float]:
    """What a question word counts as, by comparing it with every known word."""
    matches = {word: 1.0} if word in vocabulary else {}
    if len(word) >= 2:
        for known in vocabulary:
            if known == word or len(known) < 2:
                continue
            if word in known or known in word:
                matches[known] = PART_CREDIT
            elif len(word) >= 3 and len(known) >= 3 and fuzz.ratio(word, known) >= TYPO_RATIO:
                matches[known] = TYPO_CREDIT
    return matches


def test_a_question_word_counts_as_the_same_known_words_as_a_full_scan(crowded_kb):
    retriever = crowded_kb.retriever
    words = {t.text for q in _questions() for t in retriever.analyzer.terms(q)}
    words |= {"监测线", "检测线", "集中排", "三保帐", "防返贫监测范围"}
    for word in sorted(words):
        assert retriever.index.soft_matches(word) == _soft_matches_by_scan(
            retriever.vocabulary, word
        ), word


def test_typo_repair_is_the_same_whatever_order_the_terms_come_in():
    terms = ["监测", "坚持", "检测", "排查", "派查", "三保障", "饮水安全", "饮水", "收入"]
    fixers = []
    for seed in range(5):
        shuffled = terms[:]
        random.Random(seed).shuffle(shuffled)
        fixers.append(HomophoneFixer(shuffled, lambda text: text in {"坚持"}))
    for text in ("坚测对象", "三保帐", "饮水安全", "派查时间"):
        assert len({fixer.fix(text) for fixer in fixers}) == 1, text


def test_typo_repair_does_not_cut_through_the_real_words_around_it(kb):
    """ "培训会上除了讲方案": 上除 sounds like 删除, but 会上 and 除了 are both words."""
    words = {t.text for t in kb.retriever.analyzer.terms("我想了解下培训会上除了讲方案")}
    assert "删除信息" not in words
    assert "排查" in {t.text for t in kb.retriever.analyzer.terms("今年几号开始派查")}
    # "对相关": 对相 sounds like 对象, but 相关 is a word — 对 + 相关, no typo
    assert "对象" not in {t.text for t in kb.retriever.analyzer.terms("文件里对相关部门有啥要求")}
    # nor is a phrase that sounds like a function word repaired into it, nor 孩子出了 into 支出
    for said, not_meant in (
        ("我是个寡妇", "四个"),
        ("家出了意外", "除了"),
        ("听说有的村", "所有"),
        ("孩子出了意外", "支出"),
    ):
        assert not_meant not in {t.text for t in kb.retriever.analyzer.terms(said)}, said
    assert "监测对象" in {t.text for t in kb.retriever.analyzer.terms("坚测对象有哪些")}
    # a rare pair beside the run (做派) does not stop the repair
    assert "排查" in {t.text for t in kb.retriever.analyzer.terms("网格员做派查要带什么")}


# --- the index kept on disk -----------------------------------------------------------------


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def test_a_second_start_reads_the_built_knowledge_base_from_disk(data_copy, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = load_knowledge(data_copy, cache)
    files = list(cache.glob("knowledge-*.pickle"))
    assert len(files) == 1
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600

    def no_building(_data_dir):
        raise AssertionError("built again although nothing changed")

    monkeypatch.setattr(knowledge.base, "_build_knowledge", no_building)
    second = load_knowledge(data_copy, cache)
    # jieba's dictionary reopened holds the same words at the same total frequency, so every
    # question segments, and is answered, as before the restart ("算进" stays one word)
    assert second.retriever.analyzer._jieba.total == first.retriever.analyzer._jieba.total
    for question in (
        "2024年的监测线是多少",
        "排查对象有哪些",
        "怎么申请签证",
        "發大水受災的會不會算進排查的風險隱患裡頭",
        "我在合肥上班，户口还在宣州老家村里，这次排查是不是也要把我的工资算进家里收入，"
        "需不需要提供银行流水？",
    ):
        a, b = first.ask(question), second.ask(question)
        assert (a.entry and a.entry.id, a.score, a.suggestions) == (
            b.entry and b.entry.id,
            b.score,
            b.suggestions,
        ), question


def test_an_edited_entry_is_used_at_the_next_start_and_the_old_index_removed(data_copy, tmp_path):
    cache = tmp_path / "cache"
    before = load_knowledge(data_copy, cache).ask("有问题打哪个电话咨询")
    assert before.entry is not None and "（周一至周五）" not in before.entry.answer
    path = next(
        p for p in (data_copy / "entries").glob("*.yaml") if "id: contact\n" in p.read_text()
    )
    text = path.read_text("utf-8")
    at = text.index("answer:", text.index("id: contact\n"))
    path.write_text(text[:at] + "answer: （周一至周五）" + text[at + len("answer:") :], "utf-8")
    after = load_knowledge(data_copy, cache).ask("有问题打哪个电话咨询")
    assert after.entry is not None and "（周一至周五）" in after.entry.answer
    assert len(list(cache.glob("knowledge-*.pickle"))) == 1


def test_an_unreadable_index_file_is_rebuilt(data_copy, tmp_path):
    cache = tmp_path / "cache"
    load_knowledge(data_copy, cache)
    [file] = cache.glob("knowledge-*.pickle")
    file.write_bytes(file.read_bytes()[:1000])  # cut off, as by a full disk
    kb = load_knowledge(data_copy, cache)
    assert kb.ask("2024年的监测线是多少").entry is not None
    assert file.stat().st_size > 1000


def test_a_day_of_the_month_is_written_one_way_and_a_decimal_is_left_alone():
    assert as_dates("8.26 和 8-28、8/29、8月30号") == "8月26日 和 8月28日、8月29日、8月30日"
    for number in ("3.5", "1.25万", "人均8.5千", "0563-2701280", "2.25元"):
        assert as_dates(number) == number
