//! Index schema, analyzers (jieba 分词 + lowercase) and document conversion.

use tantivy::Index;
use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{LowerCaser, NgramTokenizer, TextAnalyzer};
use tantivy_jieba::JiebaTokenizer;

use crate::model::SearchDoc;

/// Name under which the jieba word-segmentation analyzer is registered.
pub const JIEBA: &str = "jieba";
/// Name of the character n-gram analyzer used for "query is a substring of the name".
pub const NAME_NGRAM: &str = "name_ngram";
/// Longest name substring (in characters) indexed for the substring boost.
pub const MAX_NGRAM_CHARS: usize = 16;

/// Field handles of the catalogue schema.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub id: Field,
    pub kind: Field,
    pub name: Field,
    pub name_sort: Field,
    pub name_ngram: Field,
    pub aliases: Field,
    pub exact: Field,
    pub materials: Field,
    pub description: Field,
    pub department: Field,
    pub department_id: Field,
    pub level: Field,
    pub item_type: Field,
    pub flags: Field,
    pub life_events: Field,
}

/// Fast-field names read by the collectors.
pub const F_ID: &str = "id";
pub const F_KIND: &str = "kind";
pub const F_NAME_SORT: &str = "name_sort";
pub const F_LEVEL: &str = "level";
pub const F_ITEM_TYPE: &str = "item_type";

pub fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let jieba = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(JIEBA)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let ngram = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(NAME_NGRAM)
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false),
    );
    let fields = Fields {
        id: b.add_text_field(F_ID, STRING | STORED | FAST),
        kind: b.add_text_field(F_KIND, STRING | FAST),
        name: b.add_text_field("name", jieba.clone()),
        name_sort: b.add_text_field(F_NAME_SORT, FAST),
        name_ngram: b.add_text_field("name_ngram", ngram),
        aliases: b.add_text_field("aliases", jieba.clone()),
        exact: b.add_text_field("exact", STRING),
        materials: b.add_text_field("materials", jieba.clone()),
        description: b.add_text_field("description", jieba.clone()),
        department: b.add_text_field("department", jieba),
        department_id: b.add_text_field("department_id", STRING),
        level: b.add_text_field(F_LEVEL, STRING | FAST),
        item_type: b.add_text_field(F_ITEM_TYPE, STRING | FAST),
        flags: b.add_text_field("flags", STRING),
        life_events: b.add_text_field("life_events", STRING),
    };
    (b.build(), fields)
}

/// Registers the analyzers the schema refers to.
pub fn register_tokenizers(index: &Index) -> Result<(), tantivy::TantivyError> {
    let jieba = TextAnalyzer::builder(JiebaTokenizer::new())
        .filter(LowerCaser)
        .build();
    index.tokenizers().register(JIEBA, jieba);
    let ngram = TextAnalyzer::builder(NgramTokenizer::all_ngrams(2, MAX_NGRAM_CHARS)?)
        .filter(LowerCaser)
        .build();
    index.tokenizers().register(NAME_NGRAM, ngram);
    Ok(())
}

/// Normalises text for indexing and querying: full-width ASCII folded to
/// half-width, ideographic space to space, lowercase, whitespace runs collapsed, trimmed.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        let c = match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        };
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// Converts a caller document to a tantivy document.
pub fn to_document(f: &Fields, doc: &SearchDoc) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    let name = normalize(&doc.name);
    d.add_text(f.id, &doc.id);
    d.add_text(f.kind, doc.kind.as_str());
    d.add_text(f.name, &name);
    d.add_text(f.name_sort, &doc.name);
    d.add_text(f.name_ngram, &name);
    d.add_text(f.exact, &name);
    for alias in &doc.aliases {
        let alias = normalize(alias);
        if alias.is_empty() {
            continue;
        }
        d.add_text(f.aliases, &alias);
        d.add_text(f.exact, &alias);
    }
    for material in &doc.materials {
        d.add_text(f.materials, normalize(material));
    }
    d.add_text(f.description, normalize(&doc.description));
    d.add_text(f.department, normalize(&doc.department_name));
    d.add_text(f.department_id, &doc.department_id);
    d.add_text(f.level, &doc.level);
    d.add_text(f.item_type, &doc.item_type);
    for flag in &doc.flags {
        d.add_text(f.flags, flag);
    }
    for code in &doc.life_events {
        d.add_text(f.life_events, code);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn normalize_folds_width_case_and_space() {
        assert_eq!(normalize("  ＡＢＣ　食品（新办）  x  "), "abc 食品(新办) x");
        assert_eq!(normalize(""), "");
    }
}
