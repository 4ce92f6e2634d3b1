"""Variant matching against the hand-annotated sample (tests/data/index): the targets users rely on."""
from __future__ import annotations

from pathlib import Path

import pytest
from scripts import load_script

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def quality():
    module = load_script("index_quality", REPO / "benchmarks" / "index_quality.py")
    clean, gold = module.load_gold()
    predicted, _ctx = module.predict(clean, REPO / "tests" / "data" / "index" / "concepts.toml")
    return module, gold, module.score(gold, predicted)


def test_the_sample_is_big_enough_and_varied(quality):
    module, gold, _ = quality
    positives = [g for g in gold if not g.negative]
    assert len(positives) >= 300
    assert len({g.heading for g in positives}) >= 60
    assert sum(1 for g in gold if g.negative) >= 15  # false friends marked as such


def test_recall_and_precision_meet_the_targets(quality):
    module, _, s = quality
    assert s.recall >= module.TARGET_RECALL, [(m.contribution, m.block, m.heading) for m in s.misses]
    assert s.precision >= module.TARGET_PRECISION, [(w.contribution, w.block, w.heading) for w in s.wrong]


def test_no_false_friend_is_matched(quality):
    _, _, s = quality
    assert s.false_friends_matched == 0


def test_sub_entries_are_assigned_as_marked(quality):
    _, _, s = quality
    assert s.sub_right == s.strict_hits
