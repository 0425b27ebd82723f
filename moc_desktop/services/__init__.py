"""The product's rules and workflows as plain functions over a SQLAlchemy Session. No Qt here."""
