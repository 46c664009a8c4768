"""How a question set's `expect` is judged against what the bot said.

Every in-scope question in tests/data/qa_*.yaml carries `expect`: a list of groups, each a list
of alternatives. An answer meets it when every group has one of its alternatives in the answer
(`[["9100"], ["家庭为单位", "以家庭"]]`: the line, and the household as the unit). The accuracy
tests, the benchmark (bench.quality, bench.latency) and the trainer of the learned models
(knowledge.model_training) judge with this one function, so they cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Sequence


def met(answer: str, expect: Sequence[Sequence[str]]) -> bool:
    """Whether `answer` holds an alternative of every group of `expect` (an empty answer or an
    empty `expect` meets nothing).

    >>> met("监测范围为9100元，以家庭为单位", [["9100"], ["以家庭", "家庭为单位"]])
    True
    >>> met("监测范围为9100元", [["9100"], ["以家庭"]])
    False
    """
    return bool(answer) and bool(expect) and all(any(alt in answer for alt in g) for g in expect)
