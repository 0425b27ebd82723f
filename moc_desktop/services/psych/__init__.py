"""The psychologist's journal: entries (``journal``), the code ↔ person table (``clients``), aggregates that other
roles may see (``reports``) and migration from paper/Excel journals (``files``)."""
