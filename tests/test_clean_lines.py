"""dedup.clean.lines.repeated_runs: a block printed twice, not lines that merely recur."""

from dedup.clean.lines import repeated_runs

SENT = [f"Sentence {i} of the story carries eighteen words or so, which is enough for a run of three to count."
        for i in range(5)]


def test_a_block_printed_twice_is_found_line_for_line() -> None:
    texts = ["Heading", *SENT, "Gallery", *SENT[:4], "Closing line of the story."]
    assert repeated_runs(texts) == {7: 1, 8: 2, 9: 3, 10: 4}


def test_case_does_not_hide_a_repeat() -> None:
    texts = [*SENT[:3], "x", *(s.upper() for s in SENT[:3])]
    assert repeated_runs(texts) == {4: 0, 5: 1, 6: 2}


def test_recurring_single_lines_are_not_a_block() -> None:
    # a training plan: the same warm-up line under every day, each day's own line between
    warm = "Warm up. Ten to twenty minutes of easy jogging in zone two, then drills and strides."
    texts = [line for day in range(6) for line in (f"Day {day}: {day + 3} miles at an easy pace", warm)]
    assert repeated_runs(texts) == {}


def test_short_runs_are_kept() -> None:
    # two lines only (under fifty words), and three short lines: a repeated caption pair, a short list
    assert repeated_runs([*SENT[:2], "x", *SENT[:2]]) == {}
    short = ["Price: $10", "Colour: red", "Size: large"]
    assert repeated_runs([*short, "x", *short]) == {}


def test_a_run_never_extends_into_its_own_repeat() -> None:
    # the same three lines three times: the second and third copies each repeat the first
    texts = SENT[:3] * 3
    assert repeated_runs(texts) == {3: 0, 4: 1, 5: 2, 6: 0, 7: 1, 8: 2}
