"""EAD records <-> database rows, and nothing else.

``load`` writes the reader's neutral records (``archive.ead.records``) as rows; ``stream`` reads
rows back as the same records, in document order, for the writers. Policy (whether an import may
replace a collection, who may see what) is decided by the callers in ``archive.services``.
"""
