"""Quotation detection: who quotes whom (being carved out of dedup.runtime.reuse_runner)."""
