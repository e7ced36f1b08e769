"""Per-version mapping tables: EAD element names <-> neutral record vocabulary.

Kept apart from the reader so that the writers use the very same tables in reverse.
"""

from __future__ import annotations

# Notes directly inside a unit (archdesc / c).  Same names in EAD 2002 and EAD3.
UNIT_NOTE_ELEMENTS: dict[str, str] = {
    name: name
    for name in (
        "scopecontent bioghist arrangement accessrestrict userestrict prefercite acqinfo "
        "custodhist processinfo appraisal accruals relatedmaterial separatedmaterial "
        "otherfindaid originalsloc altformavail phystech fileplan odd bibliography index "
        "legalstatus"
    ).split()
}
UNIT_NOTE_ELEMENTS["note"] = "note"  # EAD 2002 only

# Notes inside the identification block (did).
DID_NOTE_ELEMENTS: dict[str, dict[str, str]] = {
    "2002": {
        "abstract": "abstract",
        "physloc": "physloc",
        "materialspec": "materialspec",
        "langmaterial": "langmaterial",
        "note": "did_note",
    },
    "3": {
        "abstract": "abstract",
        "physloc": "physloc",
        "materialspec": "materialspec",
        "langmaterial": "langmaterial",
        "didnote": "did_note",
    },
}

AGENT_ELEMENTS: dict[str, str] = {
    "persname": "person",
    "famname": "family",
    "corpname": "corporate",
    "name": "person",  # generic names: treated as persons; element kept in attributes
}
AGENT_TYPE_ELEMENTS: dict[str, str] = {
    "person": "persname",
    "family": "famname",
    "corporate": "corpname",
}

SUBJECT_ELEMENTS: dict[str, str] = {
    "subject": "topical",
    "geogname": "geographic",
    "genreform": "genre_form",
    "occupation": "occupation",
    "function": "function",
    "title": "title",
}
SUBJECT_TYPE_ELEMENTS: dict[str, str] = {v: k for k, v in SUBJECT_ELEMENTS.items()}

# controlaccess @role / @relator values that mean "this name is not a subject".  Matched
# case-insensitively; MARC relator codes and ArchivesSpace's role words both appear.
CREATOR_RELATORS = frozenset({"creator", "cre", "aut", "author", "originator", "org"})
SOURCE_RELATORS = frozenset({"source", "src", "fmo", "former owner", "dnr", "donor"})

LEVELS = frozenset(
    "class collection file fonds item otherlevel recordgrp series subfonds subgrp subseries".split()
)

# Attributes that become record fields (everything else of archdesc/c goes to attributes).
UNIT_MAPPED_ATTRIBUTES = frozenset({"level", "otherlevel", "id", "audience"})
