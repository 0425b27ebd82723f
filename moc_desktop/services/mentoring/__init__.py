"""Mentoring: school partnerships (сетевое взаимодействие) and teacher pairs (целевая модель наставничества)."""
