"""Building blocks every other package may use; this package imports nothing of the project.

- `yamlfile`: YAML loading that remembers file and line, and `DataError` listing every problem;
- `messages`: what flows between the adapters and the core (`Incoming`, `Reply`, `Button`);
- `text`: normalising what people type (width, 繁→简, case, punctuation).
"""
