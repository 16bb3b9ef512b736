//! The ledger's stored Merkle tree: perfect subtrees kept in `ledger_merkle`, extended from the
//! entries in batches (by the checkpoint job, and at start-up for a ledger that predates it), so
//! that a checkpoint's root, an inclusion proof and a consistency proof each read O(log n) nodes
//! instead of every entry hash. Which nodes a proof needs, and how they fold, is
//! `yiwang_core::merkle`.

use std::collections::HashMap;

use yiwang_core::merkle::{Frontier, Node, Range, fold_cover, perfect_cover};
use yiwang_store::prelude::*;

use crate::{AppError, AppResult};

/// The most entries one extension adds (one transaction); a longer backlog is added over
/// several runs, so no run holds the write lock for long.
pub const MAX_EXTEND: i64 = 50_000;

const PAGE: i64 = 2_000;

fn bytes(hex_hash: &str) -> AppResult<[u8; 32]> {
    let v = hex::decode(hex_hash)
        .map_err(|_| AppError::Internal(format!("ledger hash {hex_hash:?} is not hex")))?;
    v.try_into()
        .map_err(|_| AppError::Internal(format!("ledger hash {hex_hash:?} is not 32 bytes")))
}

/// Stored nodes read for one answer; each is read once.
struct Nodes<'a> {
    tx: &'a mut dyn ReadTx,
    cache: HashMap<Node, [u8; 32]>,
}

impl<'a> Nodes<'a> {
    fn new(tx: &'a mut dyn ReadTx) -> Self {
        Nodes {
            tx,
            cache: HashMap::new(),
        }
    }

    async fn get(&mut self, n: Node) -> AppResult<[u8; 32]> {
        if let Some(h) = self.cache.get(&n) {
            return Ok(*h);
        }
        let h = self
            .tx
            .merkle_node(i64::from(n.level), n.index as i64)
            .await?
            .ok_or_else(|| {
                AppError::Internal(format!(
                    "Merkle node ({}, {}) is not stored",
                    n.level, n.index
                ))
            })?;
        let h = bytes(&h)?;
        self.cache.insert(n, h);
        Ok(h)
    }

    async fn range(&mut self, r: Range) -> AppResult<[u8; 32]> {
        let mut hs = Vec::new();
        for n in perfect_cover(r) {
            hs.push(self.get(n).await?);
        }
        Ok(fold_cover(&hs))
    }

    async fn ranges(&mut self, rs: Vec<Range>) -> AppResult<Vec<[u8; 32]>> {
        let mut out = Vec::with_capacity(rs.len());
        for r in rs {
            out.push(self.range(r).await?);
        }
        Ok(out)
    }
}

/// Extend the stored tree towards `upto` entries (at most [`MAX_EXTEND`] more) inside the
/// caller's write transaction; returns the size it now covers.
pub async fn extend(tx: &mut dyn WriteTx, upto: i64) -> AppResult<i64> {
    let have = tx.merkle_size().await?;
    if have >= upto {
        return Ok(have);
    }
    let target = upto.min(have + MAX_EXTEND);
    // The right edge of the stored tree: the left siblings the next leaves will need.
    let mut cover = Vec::new();
    {
        let mut nodes = Nodes::new(tx);
        for n in perfect_cover((0, have as u64)) {
            cover.push(nodes.get(n).await?);
        }
    }
    let mut frontier = Frontier::from_cover(have as u64, &cover)
        .ok_or_else(|| AppError::Internal("Merkle frontier does not match its size".into()))?;
    let mut after = have;
    while after < target {
        let rows = tx.ledger_entries(after, PAGE.min(target - after)).await?;
        if rows.is_empty() {
            break;
        }
        let mut batch = Vec::with_capacity(rows.len() * 2);
        for row in &rows {
            if row.seq != after + 1 {
                return Err(AppError::Internal(format!(
                    "ledger entry {} follows {after}: the chain has a gap",
                    row.seq
                )));
            }
            for (n, h) in frontier.push(&bytes(&row.hash)?) {
                batch.push((i64::from(n.level), n.index as i64, hex::encode(h)));
            }
            after = row.seq;
        }
        tx.insert_merkle_nodes(&batch).await?;
    }
    Ok(after)
}

/// The root of the first `size` entries, from stored nodes.
pub async fn root(tx: &mut dyn ReadTx, size: i64) -> AppResult<[u8; 32]> {
    Nodes::new(tx).range((0, size as u64)).await
}

/// The inclusion proof (leaf side first) of entry `seq` in the tree of `size` entries.
pub async fn inclusion(tx: &mut dyn ReadTx, seq: i64, size: i64) -> AppResult<Vec<[u8; 32]>> {
    let ranges = yiwang_core::merkle::inclusion_ranges((seq - 1) as u64, size as u64);
    Nodes::new(tx).ranges(ranges).await
}

/// The consistency proof from the tree of `old` entries to the tree of `new` entries, with the
/// old tree's root.
pub async fn consistency(
    tx: &mut dyn ReadTx,
    old: i64,
    new: i64,
) -> AppResult<([u8; 32], Vec<[u8; 32]>)> {
    let mut nodes = Nodes::new(tx);
    let old_root = nodes.range((0, old as u64)).await?;
    let proof = nodes
        .ranges(yiwang_core::merkle::consistency_ranges(
            old as u64, new as u64,
        ))
        .await?;
    Ok((old_root, proof))
}

/// Every stored node recomputed from the entry hashes (`leaves`, in order): the findings of
/// `audit verify` for nodes that are altered, missing below the stored size, or stray.
pub async fn check(tx: &mut dyn ReadTx, leaves: &[[u8; 32]]) -> AppResult<Vec<(String, String)>> {
    let stored_size = tx.merkle_size().await?;
    let mut problems = Vec::new();
    if stored_size as usize > leaves.len() {
        problems.push((
            "merkle.beyond_ledger".into(),
            format!(
                "the stored Merkle tree covers {stored_size} entries but only {} exist",
                leaves.len()
            ),
        ));
    }
    let mut expected: HashMap<(i64, i64), [u8; 32]> = HashMap::new();
    let mut frontier = Frontier::default();
    for leaf in leaves.iter().take(stored_size as usize) {
        for (n, h) in frontier.push(leaf) {
            expected.insert((i64::from(n.level), n.index as i64), h);
        }
    }
    let (mut level, mut index) = (-1i64, -1i64);
    loop {
        let page = tx.merkle_nodes_after(level, index, 5_000).await?;
        let Some(last) = page.last() else { break };
        (level, index) = (last.0, last.1);
        for (l, i, h) in page {
            match expected.remove(&(l, i)) {
                Some(e) if hex::encode(e) == h => {}
                Some(_) => problems.push((
                    "merkle.node_mismatch".into(),
                    format!("Merkle node ({l}, {i}) does not match the entries below it"),
                )),
                None => problems.push((
                    "merkle.stray_node".into(),
                    format!("Merkle node ({l}, {i}) lies beyond the stored tree"),
                )),
            }
        }
    }
    let mut missing: Vec<_> = expected.into_keys().collect();
    missing.sort();
    for (l, i) in missing {
        problems.push((
            "merkle.node_missing".into(),
            format!("Merkle node ({l}, {i}) is missing"),
        ));
    }
    Ok(problems)
}
