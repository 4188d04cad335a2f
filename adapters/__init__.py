"""One module per column, each exposing `load(device) -> oracle.protocol.Adapter`.

Adapters run inside their own worker process, so they import their framework at module
level; nothing in `oracle` imports them.
"""
