"""An OAI-PMH 2.0 provider at ``/oai``: one record per public finding aid.

A thin layer over the services and selectors: :mod:`archive.visibility` decides what is public,
:mod:`archive.services.exports` writes the EAD, :mod:`archive.services.harvest` keeps the
deleted records. Modules:

- :mod:`.identifiers`: ``oai:<namespace>:<repository code>/<EAD id>`` both ways;
- :mod:`.records`: what a harvester sees (headers, datestamps, Dublin Core, the EAD export);
- :mod:`.tokens`: signed resumption tokens that page by position, not by offset;
- :mod:`.protocol`: the verbs, their argument checks and errors, the XML response;
- :mod:`.views`: the one view.
"""
