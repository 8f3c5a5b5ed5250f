"""The per-document time budget: a document over it raises, time between documents never does."""

from __future__ import annotations

import time

import pytest

from dedup.runtime.budget import Budget, OverBudget


def test_a_document_over_its_budget_raises_and_the_next_one_gets_a_fresh_budget() -> None:
    with Budget(0.05) as budget:
        with pytest.raises(OverBudget), budget.document():
            time.sleep(0.2)
        # the timer restarts for each document: two documents of 0.03 s each are both within 0.05 s
        for _ in range(2):
            with budget.document():
                time.sleep(0.03)


def test_an_alarm_between_documents_is_ignored_and_the_batch_end_disarms_it() -> None:
    with Budget(0.05) as budget:
        with budget.document():
            pass
        time.sleep(0.12)  # the timer left running after the document fires here: no document's
        with budget.document():
            pass
    time.sleep(0.08)  # after the batch: disarmed, and the handler before it restored
