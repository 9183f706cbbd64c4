"""DOCX layout (placeholder)."""
