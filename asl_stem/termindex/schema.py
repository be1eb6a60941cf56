"""The term index's SQLite schema: one place that says what the app can read.

Version 1. Ids: articles, sentences and recordings keep their manifest ids (text); terms get
integer ids, stable only within one index file (notes are keyed by the term's normal form so
they survive a rebuild). ``clips`` lists, per term, each recording that spelled it (with the
span's frames) or signed it (with a window estimated from where the term sits in the sentence,
``estimated = 1``).
"""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = 1

DDL = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (
  id TEXT PRIMARY KEY, title TEXT NOT NULL, page_id INTEGER, num_sentences INTEGER NOT NULL
);
CREATE TABLE sentences (
  num INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, article_id TEXT NOT NULL,
  section_index INTEGER NOT NULL, sentence_index INTEGER NOT NULL, text TEXT NOT NULL,
  is_section_title INTEGER NOT NULL
);
CREATE INDEX sentences_article ON sentences(article_id, section_index, sentence_index);
CREATE TABLE recordings (
  id TEXT PRIMARY KEY, sentence_id TEXT NOT NULL, article_id TEXT NOT NULL,
  interpreter TEXT NOT NULL, fps REAL, num_frames INTEGER, annotated INTEGER NOT NULL
);
CREATE INDEX recordings_sentence ON recordings(sentence_id);
CREATE TABLE spans (
  recording_id TEXT NOT NULL, start_frame INTEGER NOT NULL, end_frame INTEGER NOT NULL,
  text TEXT, score REAL, term_id INTEGER
);
CREATE INDEX spans_recording ON spans(recording_id);
CREATE TABLE terms (
  id INTEGER PRIMARY KEY, norm TEXT UNIQUE NOT NULL, display TEXT NOT NULL, score REAL,
  n_occurrences INTEGER NOT NULL, n_spelled INTEGER NOT NULL, n_signed INTEGER NOT NULL,
  n_spelled_interpreters INTEGER NOT NULL, n_signed_interpreters INTEGER NOT NULL
);
CREATE TABLE occurrences (
  term_id INTEGER NOT NULL, sentence_id TEXT NOT NULL, article_id TEXT NOT NULL,
  char_start INTEGER NOT NULL, char_end INTEGER NOT NULL, score REAL
);
CREATE INDEX occurrences_term ON occurrences(term_id);
CREATE INDEX occurrences_sentence ON occurrences(sentence_id);
CREATE TABLE clips (
  term_id INTEGER NOT NULL, recording_id TEXT NOT NULL, interpreter TEXT NOT NULL,
  how TEXT NOT NULL CHECK (how IN ('spelled', 'signed')),
  start_frame INTEGER, end_frame INTEGER, estimated INTEGER NOT NULL
);
CREATE INDEX clips_term ON clips(term_id, how);
CREATE TABLE links (term_id INTEGER NOT NULL, site TEXT NOT NULL, url TEXT NOT NULL);
CREATE INDEX links_term ON links(term_id);
CREATE TABLE lexicon (
  term_id INTEGER NOT NULL, source TEXT NOT NULL, entry_id TEXT NOT NULL, gloss TEXT NOT NULL,
  video_url TEXT
);
CREATE INDEX lexicon_term ON lexicon(term_id);
CREATE TABLE keypoints (
  recording_id TEXT PRIMARY KEY, fps REAL NOT NULL, stride INTEGER NOT NULL,
  num_frames INTEGER NOT NULL, blob BLOB NOT NULL
);
CREATE VIRTUAL TABLE terms_fts USING fts5(display, norm, content='terms', content_rowid='id');
CREATE VIRTUAL TABLE sentences_fts USING fts5(text, content='sentences', content_rowid='num');
"""

FTS_REBUILD = """
INSERT INTO terms_fts(terms_fts) VALUES ('rebuild');
INSERT INTO sentences_fts(sentences_fts) VALUES ('rebuild');
"""


def create(connection: sqlite3.Connection) -> None:
    """Create every table of an empty index."""
    connection.executescript(DDL)
    connection.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
