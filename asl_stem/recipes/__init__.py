"""Recipes: public fingerspelling landmark corpora turned into the toolkit's shards.

Each recipe reads a corpus in its published layout and writes shards (docs/ARCHITECTURE.md
"Shards") whose samples carry the corpus' phrases as annotated spans, so that
``asl-stem train --config models/recognizer-*.yaml`` trains on them as on ASL STEM Wiki shards.
"""
