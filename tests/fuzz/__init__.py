"""Fuzzing: mutations of real files through the loader, the adapters and every reporter (see docs/fuzzing.md)."""
