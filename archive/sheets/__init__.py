"""Spreadsheets (XLSX and CSV) to and from the rows of a collection's outline.

- :mod:`~archive.sheets.columns`: the columns, their plain-English headers, explanations and
  controlled values (one list shared by the template, the reader and the export);
- :mod:`~archive.sheets.reading`: a file to plain rows of text (merged cells, blank rows,
  Excel dates, formulas' cached values);
- :mod:`~archive.sheets.plan`: rows to planned units, with every problem named by sheet, row,
  column and a fix; nothing touches the database but look-ups;
- :mod:`~archive.sheets.load`: a clean plan written to the database in bulk;
- :mod:`~archive.sheets.writing`: the template and exports as XLSX or CSV.

No permission checks, transactions, history or search here: ``archive.services.spreadsheets``
does those around this engine.
"""
