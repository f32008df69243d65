"""Combining several assessors' scores: means, normalised totals, ranks."""

from __future__ import annotations

from pmo.portfolio.scoring import Scale, mean_scores, normalised_total, rank


def test_two_assessors_are_averaged_per_criterion() -> None:
    means = mean_scores([{"a": 4, "b": 2}, {"a": 2}], ["a", "b", "c"])
    assert means == {"a": 3.0, "b": 2.0}


def test_worked_example_weights_three_and_one() -> None:
    # a: mean 4 of 1..5 is 0.75 of its weight 3; b: mean 2 of 1..3 is 0.5 of weight 1
    # (3 * 0.75 + 1 * 0.5) / 4 = 0.6875 -> 68.75
    scales = [Scale("a", 3, 5), Scale("b", 1, 3)]
    assert normalised_total({"a": 4, "b": 2}, scales) == 68.75


def test_lowest_and_highest_scores_total_0_and_100() -> None:
    scales = [Scale("a", 2, 5), Scale("b", 1, 10)]
    assert normalised_total({"a": 1, "b": 1}, scales) == 0
    assert normalised_total({"a": 5, "b": 10}, scales) == 100


def test_a_criterion_without_weight_does_not_count_and_missing_scores_give_no_total() -> None:
    scales = [Scale("a", 1, 5), Scale("b", 0, 5)]
    assert normalised_total({"a": 5}, scales) == 100
    assert normalised_total({"b": 5}, scales) is None


def test_ties_share_a_rank_and_unscored_are_left_out() -> None:
    assert rank({1: 50.0, 2: 80.0, 3: 50.0, 4: None, 5: 10.0}) == {2: 1, 1: 2, 3: 2, 5: 4}
