"""Answering: from a question and an index to a short, cited answer. Never parses files."""
