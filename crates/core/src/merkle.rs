//! The ledger's Merkle tree (RFC 6962 / RFC 9162, with SM3) read from stored **perfect
//! subtrees**, so that a root, an inclusion proof or a consistency proof of a tree of any size
//! needs O(log n) stored nodes rather than every leaf.
//!
//! A perfect subtree `Node { level, index }` covers the leaves `[index·2^level, (index+1)·2^level)`;
//! level 0 nodes are leaf hashes. A node is stored once it is complete and never changes, so the
//! stored tree only grows. Every hash a proof needs is the tree hash of an RFC 6962 range
//! `[k·2^l, min((k+1)·2^l, n))`; such a range is a right-fold of at most log n perfect subtrees
//! ([`perfect_cover`]). This module is pure: it says which nodes are needed and folds them; the
//! store reads them.

use crate::ledger::{merkle_leaf_hash, merkle_node_hash, sm3};

/// A perfect subtree of the ledger's Merkle tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Node {
    /// 0 for leaves; a node of level `l` covers 2^l leaves.
    pub level: u32,
    /// Position among the nodes of its level, from 0.
    pub index: u64,
}

impl Node {
    /// The first leaf it covers.
    pub fn start(&self) -> u64 {
        self.index << self.level
    }

    /// One past the last leaf it covers.
    pub fn end(&self) -> u64 {
        (self.index + 1) << self.level
    }

    /// Its two children (none for a leaf).
    pub fn children(&self) -> Option<(Node, Node)> {
        (self.level > 0).then(|| {
            let l = Node {
                level: self.level - 1,
                index: self.index * 2,
            };
            (
                l,
                Node {
                    index: l.index + 1,
                    ..l
                },
            )
        })
    }
}

/// A range of leaves `[start, end)`.
pub type Range = (u64, u64);

/// The perfect subtrees, left to right, whose right-fold is the RFC 6962 tree hash of `range`.
/// `range` must be one RFC 6962 produces: `start` a multiple of the largest power of two not
/// above `end - start` (every range [`inclusion_ranges`] and [`consistency_ranges`] yield is).
pub fn perfect_cover((start, end): Range) -> Vec<Node> {
    let mut out = Vec::new();
    let mut at = start;
    let mut left = end - start;
    while left > 0 {
        let level = 63 - left.leading_zeros();
        out.push(Node {
            level,
            index: at >> level,
        });
        at += 1 << level;
        left -= 1 << level;
    }
    out
}

/// The tree hash of a range from the hashes of its [`perfect_cover`], in the same order:
/// `H(c1, H(c2, … H(c_{k-1}, c_k)))`.
pub fn fold_cover(hashes: &[[u8; 32]]) -> [u8; 32] {
    let mut it = hashes.iter().rev();
    let Some(last) = it.next() else {
        return sm3(b"");
    };
    it.fold(*last, |acc, h| merkle_node_hash(h, &acc))
}

/// The perfect subtrees whose hashes are complete once leaf `leaf` (0-based) is added: the leaf
/// itself and every ancestor it closes, bottom-up. A sequencer stores these after each leaf.
pub fn completed_by(leaf: u64) -> Vec<Node> {
    let mut out = vec![Node {
        level: 0,
        index: leaf,
    }];
    let mut n = leaf + 1;
    let mut level = 0;
    while n.is_multiple_of(2) {
        n /= 2;
        level += 1;
        out.push(Node {
            level,
            index: n - 1,
        });
    }
    out
}

/// Hash of a perfect node from its children, or of a leaf from its raw entry hash.
pub fn node_hash(children: Option<(&[u8; 32], &[u8; 32])>, leaf: &[u8; 32]) -> [u8; 32] {
    match children {
        Some((l, r)) => merkle_node_hash(l, r),
        None => merkle_leaf_hash(leaf),
    }
}

/// The right edge of a growing tree: the perfect subtrees of the leaves so far (at most one per
/// level). Adding leaves in order yields every node as it completes and the root at any size,
/// in O(log n) memory — how the tree is extended and how `audit verify` recomputes it.
#[derive(Debug, Clone, Default)]
pub struct Frontier {
    size: u64,
    /// Left to right: highest level first.
    nodes: Vec<(Node, [u8; 32])>,
}

impl Frontier {
    /// The frontier of a tree of `size` leaves from the hashes of its [`perfect_cover`] nodes
    /// (in that order).
    pub fn from_cover(size: u64, hashes: &[[u8; 32]]) -> Option<Self> {
        let cover = perfect_cover((0, size));
        (cover.len() == hashes.len()).then(|| Frontier {
            size,
            nodes: cover.into_iter().zip(hashes.iter().copied()).collect(),
        })
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Add the next leaf (its raw entry hash); returns the nodes it completes, bottom-up.
    pub fn push(&mut self, entry_hash: &[u8; 32]) -> Vec<(Node, [u8; 32])> {
        let leaf = self.size;
        let mut done = vec![(
            Node {
                level: 0,
                index: leaf,
            },
            merkle_leaf_hash(entry_hash),
        )];
        let mut cur = done[0];
        while let Some(&(left, lh)) = self.nodes.last() {
            if left.level != cur.0.level {
                break;
            }
            self.nodes.pop();
            cur = (
                Node {
                    level: left.level + 1,
                    index: left.index / 2,
                },
                merkle_node_hash(&lh, &cur.1),
            );
            done.push(cur);
        }
        self.nodes.push(cur);
        self.size += 1;
        done
    }

    /// The root of the leaves so far.
    pub fn root(&self) -> [u8; 32] {
        let hs: Vec<[u8; 32]> = self.nodes.iter().map(|(_, h)| *h).collect();
        fold_cover(&hs)
    }
}

fn split(n: u64) -> u64 {
    // The largest power of two strictly below n (n ≥ 2).
    1 << (63 - (n - 1).leading_zeros())
}

/// The ranges whose tree hashes form the inclusion proof of leaf `index` in a tree of `size`
/// leaves (RFC 6962 §2.1.1 PATH), leaf side first.
pub fn inclusion_ranges(index: u64, size: u64) -> Vec<Range> {
    assert!(index < size, "leaf {index} outside a tree of {size}");
    let mut out = Vec::new();
    let (mut lo, mut hi, m) = (0u64, size, index);
    // Walk down from the root, collecting the sibling range at each split; reverse at the end.
    while hi - lo > 1 {
        let k = split(hi - lo);
        if m - lo < k {
            out.push((lo + k, hi));
            hi = lo + k;
        } else {
            out.push((lo, lo + k));
            lo += k;
        }
    }
    out.reverse();
    out
}

/// The ranges whose tree hashes form the consistency proof from a tree of `old` leaves to one
/// of `new` leaves (RFC 6962 §2.1.2 PROOF), in proof order. Empty when `old` is 0 or equals `new`.
pub fn consistency_ranges(old: u64, new: u64) -> Vec<Range> {
    assert!(old <= new, "old size {old} above new size {new}");
    if old == 0 || old == new {
        return Vec::new();
    }
    let mut out = Vec::new();
    // SUBPROOF(m, D[lo:hi], b), unrolled: the ranges are pushed as the recursion would emit them
    // after its recursive call, so they are collected on the way down and reversed at the end.
    let (mut lo, mut hi, mut complete) = (0u64, new, true);
    let m = old;
    loop {
        let n = hi - lo;
        let mm = m - lo;
        if mm == n {
            if !complete {
                out.push((lo, hi));
            }
            break;
        }
        let k = split(n);
        if mm <= k {
            out.push((lo + k, hi));
            hi = lo + k;
        } else {
            out.push((lo, lo + k));
            lo += k;
            complete = false;
        }
    }
    out.reverse();
    out
}

/// Verifies a consistency proof (RFC 9162 §2.1.4.2): the tree of `old` leaves with root
/// `old_root` is a prefix of the tree of `new` leaves with root `new_root`.
pub fn verify_consistency(
    old: u64,
    new: u64,
    proof: &[[u8; 32]],
    old_root: &[u8; 32],
    new_root: &[u8; 32],
) -> bool {
    if old > new {
        return false;
    }
    if old == new {
        return proof.is_empty() && old_root == new_root;
    }
    if old == 0 {
        return proof.is_empty();
    }
    if proof.is_empty() {
        return false;
    }
    let mut path: Vec<[u8; 32]> = proof.to_vec();
    // When old is a power of two the old root itself starts the path.
    if old.is_power_of_two() {
        path.insert(0, *old_root);
    }
    let mut f_n = old - 1;
    let mut s_n = new - 1;
    while f_n & 1 == 1 {
        f_n >>= 1;
        s_n >>= 1;
    }
    let mut fr = path[0];
    let mut sr = path[0];
    for c in &path[1..] {
        if s_n == 0 {
            return false;
        }
        if f_n & 1 == 1 || f_n == s_n {
            fr = merkle_node_hash(c, &fr);
            sr = merkle_node_hash(c, &sr);
            while f_n & 1 == 0 && f_n != 0 {
                f_n >>= 1;
                s_n >>= 1;
            }
        } else {
            sr = merkle_node_hash(&sr, c);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    fr == *old_root && sr == *new_root && s_n == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{inclusion_proof, merkle_root, verify_inclusion};
    use proptest::prelude::*;

    fn leaves(n: u64) -> Vec<[u8; 32]> {
        (0..n).map(|i| sm3(&i.to_be_bytes())).collect()
    }

    /// Every perfect node of a tree, as a sequencer would store them.
    fn stored(leaves: &[[u8; 32]]) -> std::collections::HashMap<Node, [u8; 32]> {
        let mut m = std::collections::HashMap::new();
        for (i, l) in leaves.iter().enumerate() {
            for node in completed_by(i as u64) {
                let h = match node.children() {
                    None => node_hash(None, l),
                    Some((a, b)) => node_hash(Some((&m[&a], &m[&b])), l),
                };
                m.insert(node, h);
            }
        }
        m
    }

    fn range_hash(m: &std::collections::HashMap<Node, [u8; 32]>, r: Range) -> [u8; 32] {
        let hs: Vec<[u8; 32]> = perfect_cover(r).iter().map(|n| m[n]).collect();
        fold_cover(&hs)
    }

    #[test]
    fn roots_from_stored_nodes_match_the_whole_tree() {
        let all = leaves(70);
        let m = stored(&all);
        for n in 1..=70u64 {
            assert_eq!(
                range_hash(&m, (0, n)),
                merkle_root(&all[..n as usize]),
                "n={n}"
            );
            assert!(perfect_cover((0, n)).len() <= 7, "n={n}: O(log n) nodes");
        }
        assert_eq!(fold_cover(&[]), merkle_root(&[]));
    }

    #[test]
    fn inclusion_proofs_from_stored_nodes_match_and_verify() {
        let all = leaves(40);
        let m = stored(&all);
        for n in 1..=40u64 {
            let root = merkle_root(&all[..n as usize]);
            for i in 0..n {
                let proof: Vec<[u8; 32]> = inclusion_ranges(i, n)
                    .into_iter()
                    .map(|r| range_hash(&m, r))
                    .collect();
                assert_eq!(
                    proof,
                    inclusion_proof(&all[..n as usize], i as usize),
                    "n={n} i={i}"
                );
                assert!(verify_inclusion(&all[i as usize], i, n, &proof, &root));
            }
        }
    }

    #[test]
    fn consistency_proofs_verify_for_every_pair() {
        let all = leaves(40);
        let m = stored(&all);
        for new in 1..=40u64 {
            let new_root = merkle_root(&all[..new as usize]);
            for old in 1..=new {
                let old_root = merkle_root(&all[..old as usize]);
                let proof: Vec<[u8; 32]> = consistency_ranges(old, new)
                    .into_iter()
                    .map(|r| range_hash(&m, r))
                    .collect();
                assert!(
                    verify_consistency(old, new, &proof, &old_root, &new_root),
                    "old={old} new={new}"
                );
                assert!(proof.len() <= 2 * 6 + 2, "O(log n) proof: {old}→{new}");
            }
        }
    }

    #[test]
    fn known_consistency_proof_shapes() {
        // RFC 6962 §2.1.3's example tree of 7 leaves (a..g): PROOF(3, D[7]) = [c, d, g, l],
        // here as ranges: c = [2,3), d = [3,4), g = [0,2), l = [4,7).
        assert_eq!(
            consistency_ranges(3, 7),
            vec![(2, 3), (3, 4), (0, 2), (4, 7)]
        );
        // PROOF(4, D[7]) = [l]; PROOF(6, D[7]) = [i, j, k] = [4,6), [6,7), [0,4).
        assert_eq!(consistency_ranges(4, 7), vec![(4, 7)]);
        assert_eq!(consistency_ranges(6, 7), vec![(4, 6), (6, 7), (0, 4)]);
        // The inclusion path of leaf d (3) in 7 leaves: [c, g, l].
        assert_eq!(inclusion_ranges(3, 7), vec![(2, 3), (0, 2), (4, 7)]);
    }

    #[test]
    fn the_frontier_yields_every_node_and_every_root() {
        let all = leaves(100);
        let m = stored(&all);
        let mut f = Frontier::default();
        let mut seen = 0;
        for (i, l) in all.iter().enumerate() {
            let done = f.push(l);
            assert_eq!(
                done.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
                completed_by(i as u64)
            );
            for (n, h) in done {
                assert_eq!(m[&n], h, "{n:?}");
                seen += 1;
            }
            assert_eq!(f.root(), merkle_root(&all[..=i]), "root at {}", i + 1);
            // Rebuilt from stored nodes, it goes on identically.
            let cover: Vec<[u8; 32]> = perfect_cover((0, i as u64 + 1))
                .iter()
                .map(|n| m[n])
                .collect();
            let again = Frontier::from_cover(i as u64 + 1, &cover).unwrap();
            assert_eq!(again.root(), f.root());
        }
        assert_eq!(seen, m.len());
    }

    proptest! {
        #[test]
        fn a_changed_byte_fails_consistency(old in 1u64..60, extra in 1u64..60, which in 0usize..64, bit in 0u8..8) {
            let new = old + extra;
            let all = leaves(new);
            let m = stored(&all);
            let old_root = merkle_root(&all[..old as usize]);
            let new_root = merkle_root(&all);
            let mut proof: Vec<[u8; 32]> = consistency_ranges(old, new)
                .into_iter()
                .map(|r| range_hash(&m, r))
                .collect();
            prop_assert!(verify_consistency(old, new, &proof, &old_root, &new_root));
            let i = which % proof.len();
            proof[i][which % 32] ^= 1 << bit;
            prop_assert!(!verify_consistency(old, new, &proof, &old_root, &new_root));
            // A changed root fails as well. (The sizes are bound by the signed checkpoints the
            // roots come from, not by the proof's hashes.)
            proof[i][which % 32] ^= 1 << bit;
            let mut bad_root = new_root;
            bad_root[0] ^= 1;
            prop_assert!(!verify_consistency(old, new, &proof, &old_root, &bad_root));
            let mut bad_old = old_root;
            bad_old[31] ^= 1;
            prop_assert!(!verify_consistency(old, new, &proof, &bad_old, &new_root));
        }

        #[test]
        fn completed_nodes_are_exactly_the_new_perfect_subtrees(leaf in 0u64..100_000) {
            let done = completed_by(leaf);
            for node in &done {
                prop_assert_eq!(node.end(), leaf + 1);
            }
            prop_assert_eq!(done.len() as u32, (leaf + 1).trailing_zeros() + 1);
        }
    }
}
