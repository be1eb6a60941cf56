"""Reading the letters of fingerspelled spans: a Conformer encoder over keypoints, CTC decoding.

Train with ``asl-stem train --config models/recognizer-cpu.yaml --data.shards SHARDS``
(:class:`~asl_stem.recognize.module.LetterRecognizer`,
:class:`~asl_stem.recognize.data.LetterData`); read spans with ``asl-stem recognize``
(:func:`~asl_stem.recognize.inference.recognize`). See docs/recognizer.md.
"""
