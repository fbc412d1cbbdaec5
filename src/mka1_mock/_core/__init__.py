"""What every resource uses, and nothing resource-specific (private: import from ``mka1_mock``).

``state`` (the one lock, clock, ids, sequence and the registry of backends), ``endpoints`` (routes as
data), ``errors`` (one class per wire error) and ``failures`` (their one renderer), ``auth``,
``paging``, ``validation``, ``metadata``, ``http``, ``config``.
"""
