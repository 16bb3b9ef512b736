//! Turns the citizen's free text into a tantivy query without exposing any
//! query syntax: the text is segmented with jieba and every word becomes plain
//! term clauses, so quotes, colons, `AND`, `-` and brackets are just characters.

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, Occur, Query,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::{TextAnalyzer, TokenStream};

use crate::model::{DocKind, Filters};
use crate::schema::{Fields, MAX_NGRAM_CHARS};

/// Per-field weights of a matched word.
pub const BOOST_ALIASES: f32 = 4.0;
pub const BOOST_NAME: f32 = 3.0;
pub const BOOST_MATERIALS: f32 = 1.0;
pub const BOOST_DESCRIPTION: f32 = 1.0;
pub const BOOST_DEPARTMENT: f32 = 0.5;
/// Multiplier for single-character words when the query also has longer words.
pub const SINGLE_CHAR_FACTOR: f32 = 0.3;
/// Share of the non-best fields added to a word's best field score.
pub const FIELD_TIE_BREAKER: f32 = 0.2;
/// Constant added when the whole query equals an alias or the name: large
/// enough to put such documents in a tier of their own.
pub const SCORE_EXACT: f32 = 100.0;
/// Constant added when the whole query is a substring of the name.
pub const SCORE_NAME_CONTAINS: f32 = 20.0;
/// Extra constant for bundles whose alias or name equals the whole query.
pub const SCORE_BUNDLE_EXACT: f32 = 15.0;

/// Words of the normalised query, in order, deduplicated, punctuation and spaces dropped.
pub fn query_words(analyzer: &mut TextAnalyzer, normalized: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut stream = analyzer.token_stream(normalized);
    while let Some(token) = stream.next() {
        let word = token.text.trim();
        if word.is_empty() || !word.chars().any(char::is_alphanumeric) {
            continue;
        }
        if !words.iter().any(|w| w == word) {
            words.push(word.to_string());
        }
    }
    words
}

fn term_query(field: Field, text: &str, option: IndexRecordOption) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), option))
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON {
        query
    } else {
        Box::new(BoostQuery::new(query, boost))
    }
}

/// The relevance part: any word in any text field, plus the whole-query boosts.
/// `None` when the text has nothing searchable.
pub fn text_query(
    f: &Fields,
    analyzer: &mut TextAnalyzer,
    normalized: &str,
) -> Option<Box<dyn Query>> {
    if normalized.is_empty() {
        return None;
    }
    let words = query_words(analyzer, normalized);
    let has_long = words.iter().any(|w| w.chars().count() > 1);
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let weighted = [
        (f.aliases, BOOST_ALIASES),
        (f.name, BOOST_NAME),
        (f.materials, BOOST_MATERIALS),
        (f.description, BOOST_DESCRIPTION),
        (f.department, BOOST_DEPARTMENT),
    ];
    for word in &words {
        let factor = if has_long && word.chars().count() == 1 {
            SINGLE_CHAR_FACTOR
        } else {
            1.0
        };
        let per_field: Vec<Box<dyn Query>> = weighted
            .iter()
            .map(|&(field, boost)| {
                boosted(
                    term_query(field, word, IndexRecordOption::WithFreqs),
                    boost * factor,
                )
            })
            .collect();
        clauses.push((
            Occur::Should,
            Box::new(DisjunctionMaxQuery::with_tie_breaker(
                per_field,
                FIELD_TIE_BREAKER,
            )),
        ));
    }
    let exact = term_query(f.exact, normalized, IndexRecordOption::Basic);
    clauses.push((
        Occur::Should,
        Box::new(ConstScoreQuery::new(exact, SCORE_EXACT)),
    ));
    let bundle_exact = BooleanQuery::new(vec![
        (
            Occur::Must,
            term_query(f.exact, normalized, IndexRecordOption::Basic),
        ),
        (
            Occur::Must,
            term_query(f.kind, DocKind::Bundle.as_str(), IndexRecordOption::Basic),
        ),
    ]);
    clauses.push((
        Occur::Should,
        Box::new(ConstScoreQuery::new(
            Box::new(bundle_exact),
            SCORE_BUNDLE_EXACT,
        )),
    ));
    let chars = normalized.chars().count();
    if (2..=MAX_NGRAM_CHARS).contains(&chars) {
        let contains = term_query(f.name_ngram, normalized, IndexRecordOption::Basic);
        clauses.push((
            Occur::Should,
            Box::new(ConstScoreQuery::new(contains, SCORE_NAME_CONTAINS)),
        ));
    }
    Some(Box::new(BooleanQuery::new(clauses)))
}

/// Filter clauses (score 0, must match).
pub fn filter_clauses(f: &Fields, filters: &Filters) -> Vec<(Occur, Box<dyn Query>)> {
    let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut must = |field: Field, value: &str| {
        let q = term_query(field, value, IndexRecordOption::Basic);
        out.push((Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0))));
    };
    if let Some(v) = &filters.department_id {
        must(f.department_id, v);
    }
    if let Some(v) = &filters.level {
        must(f.level, v);
    }
    if let Some(v) = &filters.item_type {
        must(f.item_type, v);
    }
    for flag in &filters.flags {
        must(f.flags, flag);
    }
    if let Some(v) = &filters.life_event {
        must(f.life_events, v);
    }
    if let Some(kind) = filters.kind {
        must(f.kind, kind.as_str());
    }
    out
}

/// Full query: the relevance part (if any) as one must clause, and the filters.
/// With neither, everything matches.
pub fn full_query(
    text: Option<Box<dyn Query>>,
    filters: Vec<(Occur, Box<dyn Query>)>,
) -> Box<dyn Query> {
    match (text, filters.is_empty()) {
        (None, true) => Box::new(AllQuery),
        (Some(text), true) => text,
        (text, false) => {
            let mut clauses = filters;
            if let Some(text) = text {
                clauses.insert(0, (Occur::Must, text));
            }
            Box::new(BooleanQuery::new(clauses))
        }
    }
}
