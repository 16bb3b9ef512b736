-- The ledger's Merkle tree as perfect subtrees (RFC 6962 with SM3): node (level, idx) covers the
-- entries idx·2^level + 1 … (idx+1)·2^level. A node is written once it is complete and never
-- changes, so a root, an inclusion proof or a consistency proof reads O(log n) rows. The tree is
-- extended from the entries by the checkpoint job; `yiwang audit verify` recomputes every node.
CREATE TABLE ledger_merkle (
    level  BIGINT NOT NULL,
    idx    BIGINT NOT NULL,
    hash   TEXT NOT NULL,
    PRIMARY KEY (level, idx)
);
