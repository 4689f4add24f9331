"""Pure-Python data-quality core of the child registry.

Nothing here imports Django: the registry app calls these functions with plain values, and the
command line (``python -m treem.registry.quality``) uses them outside any database.
"""
