"""Secrets knowledge shared by checks and targets: sealing (kubeseal's algorithm), rotation."""
