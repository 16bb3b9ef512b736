//! [`CatalogIndex`]: the search index over the catalogue (事项目录).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, MutexGuard};

use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::directory::error::LockError;
use tantivy::query::Query;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Searcher, TantivyDocument,
    TantivyError, Term,
};

use crate::error::{MAX_QUERY_CHARS, MAX_WINDOW, SearchError};
use crate::facets::FacetCounter;
use crate::model::{DocKind, Filters, Hit, SearchDoc, SearchResult};
use crate::query::{filter_clauses, full_query, text_query};
use crate::schema::{
    F_ID, F_KIND, F_NAME_SORT, Fields, JIEBA, build_schema, normalize, register_tokenizers,
    to_document,
};

/// Memory budget of the single index writer, split over its threads.
const WRITER_MEMORY: usize = 64 * 1024 * 1024;

/// The catalogue search index.
///
/// `Send + Sync`: share it behind an `Arc`. Writes (`upsert`, `remove`,
/// `replace_all`, `set_revision`) are serialised by an internal mutex, each is
/// one commit, and the reader is reloaded before the call returns, so a search
/// issued afterwards sees the change. Searches never wait for writers.
pub struct CatalogIndex {
    fields: Fields,
    reader: IndexReader,
    writer: Mutex<IndexWriter<TantivyDocument>>,
    revision: AtomicI64,
    analyzer: TextAnalyzer,
}

fn parse_revision(payload: Option<&str>) -> i64 {
    payload
        .and_then(|p| p.strip_prefix("revision="))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

impl CatalogIndex {
    /// A fresh index in memory (tests, benchmarks, single-process demos).
    pub fn in_ram() -> Result<Self, SearchError> {
        let (schema, fields) = build_schema();
        let index = Index::create_in_ram(schema);
        Self::from_index(index, fields, None)
    }

    /// Opens the index stored in `path`, creating the directory and an empty
    /// index when missing. Fails with [`SearchError::Locked`] when another
    /// writer (in this or another process) holds the directory, and with
    /// [`SearchError::SchemaMismatch`] when the stored schema differs.
    pub fn open_dir(path: &Path) -> Result<Self, SearchError> {
        std::fs::create_dir_all(path)?;
        let (schema, fields) = build_schema();
        let dir = MmapDirectory::open(path)
            .map_err(|e| SearchError::Index(format!("{}: {e}", path.display())))?;
        let index = match Index::open_or_create(dir, schema) {
            Ok(index) => index,
            Err(TantivyError::SchemaError(_)) => {
                return Err(SearchError::SchemaMismatch {
                    path: path.to_path_buf(),
                });
            }
            Err(e) => return Err(e.into()),
        };
        Self::from_index(index, fields, Some(path.to_path_buf()))
    }

    fn from_index(
        index: Index,
        fields: Fields,
        path: Option<PathBuf>,
    ) -> Result<Self, SearchError> {
        register_tokenizers(&index)?;
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 4);
        let writer = index
            .writer_with_num_threads(threads, WRITER_MEMORY.max(threads * 16 * 1024 * 1024))
            .map_err(|e| match e {
                TantivyError::LockFailure(LockError::LockBusy, _) => SearchError::Locked {
                    path: path.clone().unwrap_or_default(),
                },
                other => other.into(),
            })?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let revision = parse_revision(index.load_metas()?.payload.as_deref());
        let mut analyzer = index
            .tokenizers()
            .get(JIEBA)
            .ok_or_else(|| SearchError::Index("jieba tokenizer missing".into()))?;
        // Load the jieba dictionary now rather than on the first user query.
        drop(crate::query::query_words(&mut analyzer, "预热分词词典"));
        Ok(CatalogIndex {
            fields,
            reader,
            writer: Mutex::new(writer),
            revision: AtomicI64::new(revision),
            analyzer,
        })
    }

    fn lock_writer(&self) -> Result<MutexGuard<'_, IndexWriter<TantivyDocument>>, SearchError> {
        match self.writer.lock() {
            Ok(guard) => Ok(guard),
            Err(poisoned) => {
                // A panic mid-batch may have left uncommitted operations: drop them.
                let mut guard = poisoned.into_inner();
                guard.rollback()?;
                self.writer.clear_poison();
                Ok(guard)
            }
        }
    }

    /// Runs `ops` then commits with `revision` as the payload; rolls back on error.
    fn write<F>(&self, revision: i64, ops: F) -> Result<(), SearchError>
    where
        F: FnOnce(&mut IndexWriter<TantivyDocument>) -> Result<(), SearchError>,
    {
        let mut writer = self.lock_writer()?;
        let result = ops(&mut writer).and_then(|()| {
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&format!("revision={revision}"));
            prepared.commit()?;
            Ok(())
        });
        if let Err(e) = result {
            let _ = writer.rollback();
            return Err(e);
        }
        self.revision.store(revision, Ordering::SeqCst);
        self.reader.reload()?;
        Ok(())
    }

    /// Inserts or replaces (by `id`) the given documents in one commit.
    pub fn upsert(&self, docs: &[SearchDoc]) -> Result<(), SearchError> {
        if docs.is_empty() {
            return Ok(());
        }
        self.write(self.revision(), |w| {
            for doc in docs {
                w.delete_term(Term::from_field_text(self.fields.id, &doc.id));
                w.add_document(to_document(&self.fields, doc))?;
            }
            Ok(())
        })
    }

    /// Removes the documents with these ids (unknown ids are ignored), in one commit.
    pub fn remove(&self, ids: &[String]) -> Result<(), SearchError> {
        if ids.is_empty() {
            return Ok(());
        }
        self.write(self.revision(), |w| {
            for id in ids {
                w.delete_term(Term::from_field_text(self.fields.id, id));
            }
            Ok(())
        })
    }

    /// Replaces the whole content with `docs` and records `revision`, in one
    /// commit: searches see either the old or the new content, never a mix.
    pub fn replace_all(
        &self,
        docs: impl IntoIterator<Item = SearchDoc>,
        revision: i64,
    ) -> Result<(), SearchError> {
        self.write(revision, |w| {
            w.delete_all_documents()?;
            for doc in docs {
                w.add_document(to_document(&self.fields, &doc))?;
            }
            Ok(())
        })
    }

    /// Records the catalogue revision this index reflects (commit payload; survives restarts).
    pub fn set_revision(&self, revision: i64) -> Result<(), SearchError> {
        self.write(revision, |_| Ok(()))
    }

    /// The catalogue revision this index reflects; 0 for a new index.
    pub fn revision(&self) -> i64 {
        self.revision.load(Ordering::SeqCst)
    }

    /// Number of live documents.
    pub fn doc_count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Searches `query` (plain citizen text, at most 100 characters) within
    /// `filters`. An empty query browses: all documents matching the filters,
    /// ordered by name. `total` and `facets` cover the whole match set.
    pub fn search(
        &self,
        query: &str,
        filters: &Filters,
        offset: usize,
        limit: usize,
    ) -> Result<SearchResult, SearchError> {
        let window = offset.saturating_add(limit);
        if window > MAX_WINDOW {
            return Err(SearchError::PageOutOfRange {
                offset,
                limit,
                max: MAX_WINDOW,
            });
        }
        let (q, browse) = self.prepare(query, filters)?;
        let searcher = self.reader.searcher();
        let (hits, counts) = if limit == 0 {
            (Vec::new(), searcher.search(&*q, &FacetCounter)?)
        } else if browse {
            let top = TopDocs::with_limit(limit)
                .and_offset(offset)
                .order_by_string_fast_field(F_NAME_SORT, Order::Asc);
            let (top, counts) = searcher.search(&*q, &(top, FacetCounter))?;
            let hits = self.to_hits(&searcher, top.into_iter().map(|(_, a)| (0.0, a)))?;
            (hits, counts)
        } else {
            let top = TopDocs::with_limit(limit)
                .and_offset(offset)
                .order_by_score();
            let (top, counts) = searcher.search(&*q, &(top, FacetCounter))?;
            (self.to_hits(&searcher, top.into_iter())?, counts)
        };
        Ok(SearchResult {
            total: counts.total as usize,
            hits,
            facets: counts.into_facets(),
        })
    }

    /// Validates the text and builds the query; the flag is true when browsing.
    fn prepare(
        &self,
        query: &str,
        filters: &Filters,
    ) -> Result<(Box<dyn Query>, bool), SearchError> {
        let trimmed = query.trim();
        let len = trimmed.chars().count();
        if len > MAX_QUERY_CHARS {
            return Err(SearchError::QueryTooLong {
                len,
                max: MAX_QUERY_CHARS,
            });
        }
        let normalized = normalize(trimmed);
        let mut analyzer = self.analyzer.clone();
        let text = text_query(&self.fields, &mut analyzer, &normalized);
        let browse = text.is_none();
        Ok((
            full_query(text, filter_clauses(&self.fields, filters)),
            browse,
        ))
    }

    /// The exact tantivy query [`CatalogIndex::search`] runs for this input
    /// (benchmarks compare against running it bare).
    #[doc(hidden)]
    pub fn build_query(
        &self,
        query: &str,
        filters: &Filters,
    ) -> Result<Box<dyn Query>, SearchError> {
        Ok(self.prepare(query, filters)?.0)
    }

    /// The current searcher (benchmarks only).
    #[doc(hidden)]
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    fn to_hits(
        &self,
        searcher: &Searcher,
        top: impl Iterator<Item = (f32, DocAddress)>,
    ) -> Result<Vec<Hit>, SearchError> {
        let mut hits = Vec::new();
        let mut buf = String::new();
        for (score, addr) in top {
            let segment = searcher.segment_reader(addr.segment_ord);
            let ff = segment.fast_fields();
            let read = |field: &str, buf: &mut String| -> Result<(), SearchError> {
                buf.clear();
                let col = ff
                    .str(field)?
                    .ok_or_else(|| SearchError::Index(format!("fast field {field} missing")))?;
                let ord = col
                    .ords()
                    .first(addr.doc_id)
                    .ok_or_else(|| SearchError::Index(format!("{field} missing on a document")))?;
                col.ord_to_str(ord, buf)?;
                Ok(())
            };
            read(F_KIND, &mut buf)?;
            let kind = DocKind::parse(&buf)
                .ok_or_else(|| SearchError::Index(format!("unknown kind {buf:?}")))?;
            read(F_ID, &mut buf)?;
            hits.push(Hit {
                id: buf.clone(),
                kind,
                score,
            });
        }
        Ok(hits)
    }
}
