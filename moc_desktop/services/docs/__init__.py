"""Documents: a neutral document model (``model``) built from orders, protocols and reports, and its renderers
(.docx through an editable template, PDF through reportlab, HTML for the in-app preview)."""
