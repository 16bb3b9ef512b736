//! The documents callers index and the results they get back.

/// What a search document stands for: a single government service item (事项)
/// or a life-event bundle (一件事).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    /// A single service item.
    Item,
    /// A life-event bundle grouping several items.
    Bundle,
}

impl DocKind {
    /// `"item"` or `"bundle"`, as indexed.
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Item => "item",
            DocKind::Bundle => "bundle",
        }
    }

    /// Inverse of [`DocKind::as_str`].
    pub fn parse(s: &str) -> Option<DocKind> {
        match s {
            "item" => Some(DocKind::Item),
            "bundle" => Some(DocKind::Bundle),
            _ => None,
        }
    }
}

/// One searchable document; callers map their catalogue rows to this.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchDoc {
    /// Unique key (item id or bundle code); upserts replace by this key.
    pub id: String,
    pub kind: DocKind,
    pub name: String,
    /// Everyday aliases (俗称) written by catalogue managers.
    pub aliases: Vec<String>,
    /// Material names.
    pub materials: Vec<String>,
    /// Conditions and description text.
    pub description: String,
    /// Filter only.
    pub department_id: String,
    /// Searchable, with a low weight.
    pub department_name: String,
    /// Filter: 省级/市级/县级/乡镇级/村级.
    pub level: String,
    /// Filter: e.g. 行政许可, 公共服务; bundles use "一件事".
    pub item_type: String,
    /// Filter, any of: online, fully_online, at_most_once, immediate.
    pub flags: Vec<String>,
    /// Filter: bundle codes the item belongs to (LE001…); a bundle lists its own code.
    pub life_events: Vec<String>,
}

/// Exact-match filters; every `Some` / listed value must match.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    pub department_id: Option<String>,
    pub level: Option<String>,
    pub item_type: Option<String>,
    /// All listed flags must be present on the document.
    pub flags: Vec<String>,
    pub life_event: Option<String>,
    pub kind: Option<DocKind>,
}

impl Filters {
    /// True when no filter is set.
    pub fn is_empty(&self) -> bool {
        self.department_id.is_none()
            && self.level.is_none()
            && self.item_type.is_none()
            && self.flags.is_empty()
            && self.life_event.is_none()
            && self.kind.is_none()
    }
}

/// One ranked result; callers load the item or bundle by `id`.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: String,
    pub kind: DocKind,
    /// Relevance score; 0 when browsing (empty query).
    pub score: f32,
}

/// Counts per value over all documents matching the query and filters,
/// sorted by count (descending), then value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facets {
    pub item_type: Vec<(String, u64)>,
    pub level: Vec<(String, u64)>,
}

/// A page of hits plus the total and the facets of the whole match set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchResult {
    /// Number of documents matching query + filters (not just this page).
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: Facets,
}
