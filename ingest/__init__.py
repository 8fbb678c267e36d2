"""Ingestion: documents to clean chunks to embeddings to Chroma. Knows nothing of answering."""
