-- 0011_dlog: the disclosure transparency log: an append-only RFC 6962 Merkle log of published disclosure versions, and its SM2-signed checkpoints.

-- The log's size, one row: appenders take its row lock (UPDATE ... RETURNING),
-- so concurrent publications get consecutive leaf indexes on both databases.
CREATE TABLE dlog_state (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	size INTEGER NOT NULL
);
INSERT INTO dlog_state (id, size) VALUES (1, 0);

-- One leaf per published disclosure version: its leaf bytes (base64; a
-- canonical digest of the version made by the disclosure module, with no
-- personal data) and the RFC 6962 leaf hash SHA-256(0x00 || bytes) in hex.
-- Rows are never updated or deleted; `zhibu verify` recomputes every one.
CREATE TABLE dlog_leaves (
	id INTEGER PRIMARY KEY,
	leaf_index INTEGER NOT NULL UNIQUE,
	version_id INTEGER NOT NULL,
	leaf TEXT NOT NULL,
	leaf_hash TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX dlog_leaves_version ON dlog_leaves (version_id);

-- A signed tree head: the township's SM2 signature (base64 DER, user id
-- 1234567812345678) over "zhibu-dlog-v1\n<tree_size>\n<root hex>\n<signed_at>\n",
-- with the public key (PEM) that made it.
CREATE TABLE dlog_checkpoints (
	id INTEGER PRIMARY KEY,
	tree_size INTEGER NOT NULL,
	root TEXT NOT NULL,
	signed_at TEXT NOT NULL,
	signature TEXT NOT NULL,
	public_key TEXT NOT NULL
);
