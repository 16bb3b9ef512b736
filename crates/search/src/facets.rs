//! A collector counting the whole match set and its item-type / level facets
//! straight from the dictionary-encoded fast fields (one ordinal lookup per doc).

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::model::Facets;
use crate::schema::{F_ITEM_TYPE, F_LEVEL};

/// Total number of matches plus facet counts.
#[derive(Debug, Default)]
pub struct Counts {
    pub total: u64,
    pub item_type: HashMap<String, u64>,
    pub level: HashMap<String, u64>,
}

impl Counts {
    pub fn into_facets(self) -> Facets {
        Facets {
            item_type: sorted(self.item_type),
            level: sorted(self.level),
        }
    }
}

fn sorted(map: HashMap<String, u64>) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = map.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

pub struct FacetCounter;

pub struct SegmentFacetCounter {
    total: u64,
    item_type: Option<(StrColumn, Vec<u64>)>,
    level: Option<(StrColumn, Vec<u64>)>,
}

fn open(segment: &SegmentReader, field: &str) -> tantivy::Result<Option<(StrColumn, Vec<u64>)>> {
    Ok(segment.fast_fields().str(field)?.map(|col| {
        let n = col.dictionary().num_terms();
        (col, vec![0u64; n])
    }))
}

fn bump(slot: &mut Option<(StrColumn, Vec<u64>)>, doc: DocId) {
    if let Some((col, counts)) = slot {
        for ord in col.ords().values_for_doc(doc) {
            if let Some(c) = counts.get_mut(ord as usize) {
                *c += 1;
            }
        }
    }
}

fn harvest(slot: Option<(StrColumn, Vec<u64>)>) -> HashMap<String, u64> {
    let mut out = HashMap::new();
    if let Some((col, counts)) = slot {
        let mut buf = String::new();
        for (ord, &count) in counts.iter().enumerate() {
            if count > 0 && col.ord_to_str(ord as u64, &mut buf).unwrap_or(false) {
                out.insert(buf.clone(), count);
            }
        }
    }
    out
}

impl Collector for FacetCounter {
    type Fruit = Counts;
    type Child = SegmentFacetCounter;

    fn for_segment(
        &self,
        _segment_local_id: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetCounter> {
        Ok(SegmentFacetCounter {
            total: 0,
            item_type: open(segment, F_ITEM_TYPE)?,
            level: open(segment, F_LEVEL)?,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut out = Counts::default();
        for fruit in fruits {
            out.total += fruit.total;
            for (k, v) in fruit.item_type {
                *out.item_type.entry(k).or_default() += v;
            }
            for (k, v) in fruit.level {
                *out.level.entry(k).or_default() += v;
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.total += 1;
        bump(&mut self.item_type, doc);
        bump(&mut self.level, doc);
    }

    fn harvest(self) -> Counts {
        Counts {
            total: self.total,
            item_type: harvest(self.item_type),
            level: harvest(self.level),
        }
    }
}
