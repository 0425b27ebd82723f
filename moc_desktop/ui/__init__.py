"""Qt only: windows, pages, dialogs, table models. Talks to services, never to SQL."""
