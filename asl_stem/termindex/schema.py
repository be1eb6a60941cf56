"""The term index's SQLite schema: one place that says what the app can read.

Version 3 (occurrences carry their sentence's number, so a term page reads its first
occurrences in order from an index instead of sorting them all). Ids: articles, sentences and
recordings keep their manifest ids (text); terms get integer ids, stable only within one index
file (notes are keyed by the term's normal form so they survive a rebuild). Every span keeps
where it came from: ``source`` (annotated, detected, pseudo) with the detector's ``score``,
``text_source`` (annotated, aligned, read) with the aligner's ``text_score``; ``counted`` says
whether it enters the term statistics (annotated spans always; detected ones only on
recordings nobody annotated and above the build's score and length thresholds, recorded in
``meta``). ``clips`` lists, per term, each recording that spelled it (the span's frames) or
signed it (a window estimated from where the term sits in the sentence, ``estimated = 1``),
with ``basis``: whether that recording's spans are annotated or detected. ``candidates`` keeps
every scored candidate of every sentence (JSON ``[[char_start, char_end, score], ...]``, one
row a sentence), so the app prepares a corpus article without scoring it again. ``videos``
says where a recording's video is on the server (never sent to a client).
"""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = 3

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
CREATE TABLE interpreters (id TEXT PRIMARY KEY, label TEXT NOT NULL, n_recordings INTEGER);
CREATE TABLE recordings (
  id TEXT PRIMARY KEY, sentence_id TEXT NOT NULL, article_id TEXT NOT NULL,
  interpreter TEXT NOT NULL, fps REAL, num_frames INTEGER, annotated INTEGER NOT NULL,
  detected INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX recordings_sentence ON recordings(sentence_id);
CREATE TABLE videos (
  recording_id TEXT PRIMARY KEY, path TEXT NOT NULL, member TEXT, offset INTEGER NOT NULL,
  size INTEGER NOT NULL, compressed INTEGER NOT NULL, mtime REAL NOT NULL
);
CREATE TABLE spans (
  id INTEGER PRIMARY KEY, recording_id TEXT NOT NULL, start_frame INTEGER NOT NULL,
  end_frame INTEGER NOT NULL, source TEXT NOT NULL, score REAL, text TEXT, text_source TEXT,
  text_score REAL, char_start INTEGER, char_end INTEGER, origin TEXT, term_id INTEGER,
  counted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX spans_recording ON spans(recording_id, start_frame);
CREATE TABLE terms (
  id INTEGER PRIMARY KEY, norm TEXT UNIQUE NOT NULL, display TEXT NOT NULL DEFAULT '',
  score REAL, n_occurrences INTEGER NOT NULL DEFAULT 0,
  n_spelled INTEGER NOT NULL DEFAULT 0, n_signed INTEGER NOT NULL DEFAULT 0,
  n_spelled_interpreters INTEGER NOT NULL DEFAULT 0,
  n_signed_interpreters INTEGER NOT NULL DEFAULT 0,
  n_spelled_annotated INTEGER NOT NULL DEFAULT 0, n_spelled_detected INTEGER NOT NULL DEFAULT 0,
  n_signed_annotated INTEGER NOT NULL DEFAULT 0, n_signed_detected INTEGER NOT NULL DEFAULT 0,
  n_signs INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE term_displays (
  term_id INTEGER NOT NULL, display TEXT NOT NULL, n INTEGER NOT NULL,
  PRIMARY KEY (term_id, display)
) WITHOUT ROWID;
CREATE TABLE occurrences (
  term_id INTEGER NOT NULL, sentence_id TEXT NOT NULL, sentence_num INTEGER NOT NULL,
  article_id TEXT NOT NULL, char_start INTEGER NOT NULL, char_end INTEGER NOT NULL, score REAL
);
CREATE INDEX occurrences_term ON occurrences(term_id, article_id, sentence_num);
CREATE INDEX occurrences_sentence ON occurrences(sentence_id);
CREATE TABLE candidates (sentence_num INTEGER PRIMARY KEY, scored TEXT NOT NULL);
CREATE TABLE term_interpreters (
  term_id INTEGER NOT NULL, how TEXT NOT NULL, interpreter TEXT NOT NULL, basis TEXT NOT NULL,
  n_recordings INTEGER NOT NULL
);
CREATE TABLE clips (
  term_id INTEGER NOT NULL, recording_id TEXT NOT NULL, interpreter TEXT NOT NULL,
  how TEXT NOT NULL CHECK (how IN ('spelled', 'signed')),
  start_frame INTEGER, end_frame INTEGER, estimated INTEGER NOT NULL,
  basis TEXT NOT NULL CHECK (basis IN ('annotated', 'detected')), score REAL
);
CREATE INDEX clips_term ON clips(term_id, how, basis, recording_id);
CREATE TABLE lexicon (
  term_id INTEGER NOT NULL, source TEXT NOT NULL, entry_id TEXT NOT NULL, lemma TEXT,
  gloss TEXT NOT NULL, match TEXT NOT NULL, video_url TEXT, signbank_url TEXT,
  fingerspelled_loan INTEGER NOT NULL, initialized INTEGER NOT NULL
);
CREATE INDEX lexicon_term ON lexicon(term_id);
CREATE TABLE keypoints (
  recording_id TEXT PRIMARY KEY, fps REAL NOT NULL, stride INTEGER NOT NULL,
  num_frames INTEGER NOT NULL, box TEXT NOT NULL, etag TEXT NOT NULL, blob BLOB NOT NULL
);
CREATE VIRTUAL TABLE terms_fts USING fts5(
  display, norm, content='terms', content_rowid='id', prefix='2 3 4'
);
CREATE VIRTUAL TABLE sentences_fts USING fts5(
  text, content='sentences', content_rowid='num', prefix='2 3 4'
);
"""

FINISH = """
DROP TABLE term_displays;
INSERT INTO terms_fts(terms_fts) VALUES ('rebuild');
INSERT INTO sentences_fts(sentences_fts) VALUES ('rebuild');
INSERT INTO terms_fts(terms_fts) VALUES ('optimize');
INSERT INTO sentences_fts(sentences_fts) VALUES ('optimize');
CREATE INDEX terms_gap ON terms(n_spelled DESC, n_signed);
CREATE INDEX clips_recording ON clips(recording_id);
CREATE INDEX term_interpreters_term ON term_interpreters(term_id, how);
"""


def create(connection: sqlite3.Connection) -> None:
    """Create every table of an empty index."""
    connection.executescript(DDL)
    connection.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
