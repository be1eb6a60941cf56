"""The annotation loop: ELAN documents out and back, and which recordings to annotate next.

- :func:`~asl_stem.annotate.export.export_documents` (``asl-stem annotate export``): one
  ``.eaf`` per recording, pre-filled with the annotated or detected spans.
- :func:`~asl_stem.annotate.importing.import_documents` (``asl-stem annotate import``): the
  corrected ``fingerspelling`` tiers back into the release's annotation CSV.
- :func:`~asl_stem.annotate.selection.select_recordings` (``asl-stem annotate select``): a
  ranked, spread-out worklist of unannotated recordings, with the reason for each pick.
"""
