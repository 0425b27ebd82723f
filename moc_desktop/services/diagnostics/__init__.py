"""Competence diagnostics «5 К» (seed 003, Приложения 2–3): card template, scoring, campaigns, cards, analytics."""
