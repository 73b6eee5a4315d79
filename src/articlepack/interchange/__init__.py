"""Annotation tools in and out: ``articlepack import`` and ``articlepack export``.

- :mod:`.model`: the neutral form of a tool's documents (spans, events, links, labels);
- :mod:`.brat`, :mod:`.doccano`, :mod:`.labelstudio`, :mod:`.inception`: each tool's files to and
  from that form, and nothing else (:mod:`.formats` finds them by name);
- :mod:`.mapping` (checked by :mod:`._mapping_check`): the tool's labels onto the project's layers;
- import: :mod:`.to_project` (a document into rows), :mod:`.rows` (what the scheme refuses, ids),
  :mod:`.article` (rows into article.yaml), :mod:`.importer` (what to write, and what is refused),
  :mod:`.store` (validated on a staged copy, then written), :mod:`.report` (what was not carried);
- export: :mod:`.from_project`; :mod:`.pipeline` runs either end to end.
"""
