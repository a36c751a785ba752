"""The ingestion stages as plain functions: extract -> embed -> resolve -> write.

Embedding comes before dedupe/conflict resolution (the order the design card draws) because
resolution needs vectors to find near-duplicates and contradicted memories; the ingest worker
holds the model, so the store worker only compares and writes."""
