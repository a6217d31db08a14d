"""Similar items (issue 13): an in-memory index of items' text features, searched by likeness."""

from storage.similar.index import Index

__all__ = ["Index"]
