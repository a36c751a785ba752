"""Retrieval-quality evaluation (`make eval`): memq against a raw-turn baseline on LoCoMo and
LongMemEval, with the protocol and metrics of the reference scorer (memeval.py)."""
