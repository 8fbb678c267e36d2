"""Answer engines: extractive (default, no language model), openai (any OpenAI-compatible server), local (GGUF)."""
