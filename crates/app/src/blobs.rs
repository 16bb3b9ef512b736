//! 文件存储, the blob store: file contents, content-addressed by their SM3 digest, in a local
//! directory (the default, beside the SQLite file) or an S3-compatible bucket (`s3://bucket/prefix`,
//! to scale out), through the `object_store` crate. The database keeps a file's name, media type,
//! size and digest; the content lives here under `sm3/<first two hex digits>/<digest>`.
//!
//! Contents never pass through memory whole: writes hash a spooled file in one pass and stream it
//! into the store in a second (in parts of [`PART_BYTES`], multipart on S3); reads stream. A blob
//! is written before the database row that refers to it commits, so a failed use case leaves an
//! unreferenced blob behind: [`Blobs::collect_garbage`] removes those once they are older than a
//! grace period, and never one that a row refers to.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Once};
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use object_store::aws::AmazonS3Builder;
use object_store::buffered::BufWriter;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path as Key;
use object_store::prefix::PrefixStore;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload};
use sm3::{Digest, Sm3};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use yiwang_core::Problem;
use yiwang_store::Store;

use crate::{AppError, AppResult};

/// Size of the parts a write streams in (and so, with the read buffer, the memory one write
/// needs, whatever the size of the file). S3 needs parts of at least 5 MiB.
pub const PART_BYTES: usize = 8 * 1024 * 1024;
const READ_BUF: usize = 256 * 1024;
const TOP: &str = "sm3";

/// Where the blobs are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A local directory (`file:///…` or a plain path).
    Dir(PathBuf),
    /// An S3-compatible bucket and a key prefix (`s3://bucket/prefix`).
    Bucket { bucket: String, prefix: String },
    /// In memory (tests and tools that keep no files).
    Memory,
}

/// A stored blob: its SM3 digest (lower-case hex, the key) and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub digest: String,
    pub size: u64,
}

/// What a check of one blob found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobState {
    Intact,
    Missing,
    /// The content no longer hashes to its key (or has another size).
    Altered {
        actual: String,
        size: u64,
    },
}

/// An open read of a blob (or of a range of it).
pub struct BlobRead {
    pub stream: BoxStream<'static, Result<Bytes, std::io::Error>>,
    /// The bytes this read returns.
    pub range: Range<u64>,
    /// The size of the whole blob.
    pub size: u64,
}

/// What one clean-up pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Collected {
    pub scanned: usize,
    pub deleted: usize,
}

/// The blob store of a deployment; every node of a deployment must use the same one.
pub struct Blobs {
    inner: Arc<dyn ObjectStore>,
    location: Location,
}

impl std::fmt::Debug for Blobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Blobs({})", self.describe())
    }
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("blob store: {e}"))
}

/// Install the process's TLS provider (rustls with ring) once. The S3 client needs it; so does
/// any other HTTP client in a process that links this crate (tests, tools): call it first.
pub fn install_tls_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Another part of the process may have installed one already; either will do.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// How old an unreferenced blob must be before clean-up removes it: `YIWANG_BLOB_GRACE_SECS`,
/// default one day (far longer than any upload takes between its blob and its commit).
pub fn grace_from_env() -> Duration {
    Duration::from_secs(
        std::env::var("YIWANG_BLOB_GRACE_SECS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(86_400),
    )
}

/// The default blob location for a database URL: a directory beside the SQLite file
/// (`yiwang.db` → `yiwang.db.blobs/`), or `yiwang.blobs/` in the working directory for
/// PostgreSQL (several nodes need `--blobs s3://…` instead).
pub fn default_location(db_url: &str) -> String {
    let sqlite = db_url
        .strip_prefix("sqlite://")
        .or_else(|| db_url.strip_prefix("sqlite:"));
    match sqlite {
        Some(path) => {
            let path = path.split('?').next().unwrap_or(path);
            format!("{path}.blobs")
        }
        None => "yiwang.blobs".into(),
    }
}

impl Blobs {
    /// Open a blob store from its location: `s3://bucket[/prefix]` (endpoint and credentials
    /// from the usual `AWS_*` environment variables: `AWS_ENDPOINT`, `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ALLOW_HTTP`, …), `file:///dir`, `memory:` or a
    /// plain directory path (created when missing).
    pub fn open(spec: &str) -> AppResult<Blobs> {
        if let Some(rest) = spec.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.is_empty() {
                return Err(internal(format!("no bucket in {spec}")));
            }
            let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
            if std::env::var_os("AWS_REGION").is_none()
                && std::env::var_os("AWS_DEFAULT_REGION").is_none()
            {
                builder = builder.with_region("us-east-1");
            }
            if std::env::var_os("AWS_VIRTUAL_HOSTED_STYLE_REQUEST").is_none() {
                // S3-compatible servers (MinIO, Ceph, …) mostly want path-style requests.
                builder = builder.with_virtual_hosted_style_request(false);
            }
            return Self::s3(builder, bucket, prefix);
        }
        if spec == "memory:" {
            return Ok(Self::memory());
        }
        let dir = spec.strip_prefix("file://").unwrap_or(spec);
        if dir.is_empty() || spec.contains("://") && !spec.starts_with("file://") {
            return Err(internal(format!("unknown blob location {spec}")));
        }
        Self::dir(Path::new(dir))
    }

    /// A local directory (created when missing).
    pub fn dir(path: &Path) -> AppResult<Blobs> {
        std::fs::create_dir_all(path)
            .map_err(|e| internal(format!("cannot create {}: {e}", path.display())))?;
        let path = path
            .canonicalize()
            .map_err(|e| internal(format!("{}: {e}", path.display())))?;
        let fs = LocalFileSystem::new_with_prefix(&path).map_err(internal)?;
        Ok(Blobs {
            inner: Arc::new(fs),
            location: Location::Dir(path),
        })
    }

    /// A bucket, from a configured builder (tests point one at a local S3-compatible server).
    pub fn s3(builder: AmazonS3Builder, bucket: &str, prefix: &str) -> AppResult<Blobs> {
        install_tls_provider();
        let s3 = builder.with_bucket_name(bucket).build().map_err(internal)?;
        let prefix = prefix.trim_matches('/').to_string();
        let inner: Arc<dyn ObjectStore> = if prefix.is_empty() {
            Arc::new(s3)
        } else {
            Arc::new(PrefixStore::new(s3, prefix.as_str()))
        };
        Ok(Blobs {
            inner,
            location: Location::Bucket {
                bucket: bucket.into(),
                prefix,
            },
        })
    }

    pub fn memory() -> Blobs {
        Blobs {
            inner: Arc::new(InMemory::new()),
            location: Location::Memory,
        }
    }

    pub fn location(&self) -> &Location {
        &self.location
    }

    /// The location for logs and messages (no credentials: they never appear in it).
    pub fn describe(&self) -> String {
        match &self.location {
            Location::Dir(p) => format!("file://{}", p.display()),
            Location::Bucket { bucket, prefix } if prefix.is_empty() => format!("s3://{bucket}"),
            Location::Bucket { bucket, prefix } => format!("s3://{bucket}/{prefix}"),
            Location::Memory => "memory:".into(),
        }
    }

    /// The key of a digest; `None` for anything that is not 64 lower-case hex digits.
    fn key(digest: &str) -> Option<Key> {
        let ok = digest.len() == 64
            && digest
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        ok.then(|| Key::from(format!("{TOP}/{}/{digest}", &digest[..2])))
    }

    fn key_of(digest: &str) -> AppResult<Key> {
        Self::key(digest).ok_or_else(|| internal(format!("not a digest: {digest:?}")))
    }

    /// The file of a blob, when the store is a directory (backups copy these).
    pub fn file_of(&self, digest: &str) -> Option<PathBuf> {
        match (&self.location, Self::key(digest)) {
            (Location::Dir(dir), Some(key)) => Some(dir.join(key.as_ref())),
            _ => None,
        }
    }

    /// Store a spooled file, refusing it once it passes `limit` bytes: one pass hashes it, a
    /// second streams it into the store.
    pub async fn put_file(&self, path: &Path, limit: u64) -> AppResult<Stored> {
        let mut hasher = Sm3::new();
        let mut size = 0u64;
        let mut buf = vec![0u8; READ_BUF];
        let mut file = tokio::fs::File::open(path).await.map_err(internal)?;
        loop {
            let n = file.read(&mut buf).await.map_err(internal)?;
            if n == 0 {
                break;
            }
            size += n as u64;
            if size > limit {
                return Err(Problem::too_large(limit).into());
            }
            hasher.update(&buf[..n]);
        }
        let digest = hex::encode(hasher.finalize());
        let key = Self::key_of(&digest)?;
        let mut file = tokio::fs::File::open(path).await.map_err(internal)?;
        let mut out =
            BufWriter::with_capacity(self.inner.clone(), key, PART_BYTES).with_max_concurrency(2);
        let mut copied = 0u64;
        loop {
            let n = file.read(&mut buf).await.map_err(internal)?;
            if n == 0 {
                break;
            }
            copied += n as u64;
            if let Err(e) = out.write_all(&buf[..n]).await {
                let _ = out.abort().await;
                return Err(internal(e));
            }
        }
        if copied != size {
            let _ = out.abort().await;
            return Err(internal("the spooled file changed while it was stored"));
        }
        out.shutdown().await.map_err(internal)?;
        self.sync(&digest).await?;
        Ok(Stored { digest, size })
    }

    /// Store content already in memory (small generated files).
    pub async fn put_bytes(&self, content: Vec<u8>) -> AppResult<Stored> {
        let digest = hex::encode(Sm3::digest(&content));
        let size = content.len() as u64;
        self.inner
            .put(&Self::key_of(&digest)?, PutPayload::from(content))
            .await
            .map_err(internal)?;
        self.sync(&digest).await?;
        Ok(Stored { digest, size })
    }

    /// Make a new blob durable in a directory store (the file and its directory entry), as the
    /// database does for its commits; buckets acknowledge a write once it is durable.
    async fn sync(&self, digest: &str) -> AppResult<()> {
        let Some(file) = self.file_of(digest) else {
            return Ok(());
        };
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            std::fs::File::open(&file)?.sync_all()?;
            if let Some(dir) = file.parent() {
                std::fs::File::open(dir)?.sync_all()?;
            }
            Ok(())
        })
        .await
        .map_err(internal)?
        .map_err(internal)
    }

    /// Is the blob there (and of this size)?
    pub async fn exists(&self, digest: &str) -> AppResult<Option<u64>> {
        match self.inner.head(&Self::key_of(digest)?).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(internal(e)),
        }
    }

    /// Open a blob, or a range of it, as a stream; `None` when it is missing. A directory store
    /// is read here in large chunks (`object_store` reads local files 8 KiB at a time).
    pub async fn get(
        &self,
        digest: &str,
        range: Option<Range<u64>>,
    ) -> AppResult<Option<BlobRead>> {
        if let Some(path) = self.file_of(digest) {
            return read_file(&path, range).await;
        }
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            ..Default::default()
        };
        match self.inner.get_opts(&Self::key_of(digest)?, options).await {
            Ok(r) => {
                let range = r.range.clone();
                let size = r.meta.size;
                let stream = r
                    .into_stream()
                    .map(|c| c.map_err(std::io::Error::other))
                    .boxed();
                Ok(Some(BlobRead {
                    stream,
                    range,
                    size,
                }))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(internal(e)),
        }
    }

    /// Read a blob whole and check it against its key and recorded size.
    pub async fn check(&self, digest: &str, size: u64) -> AppResult<BlobState> {
        let Some(mut read) = self.get(digest, None).await? else {
            return Ok(BlobState::Missing);
        };
        let mut hasher = Sm3::new();
        let mut n = 0u64;
        while let Some(chunk) = read.stream.next().await {
            let chunk = chunk.map_err(internal)?;
            n += chunk.len() as u64;
            hasher.update(&chunk);
        }
        let actual = hex::encode(hasher.finalize());
        Ok(if actual == digest && n == size {
            BlobState::Intact
        } else {
            BlobState::Altered { actual, size: n }
        })
    }

    /// The digests of every stored blob.
    pub async fn list(&self) -> AppResult<Vec<(String, chrono::DateTime<chrono::Utc>)>> {
        let mut out = Vec::new();
        let mut listing = self.inner.list(Some(&Key::from(TOP)));
        while let Some(meta) = listing.next().await {
            let meta = meta.map_err(internal)?;
            if let Some(name) = meta.location.filename()
                && Self::key(name).is_some()
            {
                out.push((name.to_string(), meta.last_modified));
            }
        }
        Ok(out)
    }

    pub async fn delete(&self, digest: &str) -> AppResult<()> {
        match self.inner.delete(&Self::key_of(digest)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(internal(e)),
        }
    }

    /// Remove blobs that no row refers to and that are older than `grace` (a blob is written
    /// before the row that refers to it commits; the grace period covers that gap). Each
    /// candidate is checked again against the database just before it is deleted.
    pub async fn collect_garbage(
        &self,
        store: &Arc<dyn Store>,
        grace: Duration,
    ) -> AppResult<Collected> {
        let referenced: std::collections::HashSet<String> = {
            let mut tx = store.read().await?;
            tx.referenced_blobs().await?.into_iter().collect()
        };
        let cutoff = chrono::Utc::now()
            - chrono::Duration::from_std(grace).unwrap_or(chrono::Duration::days(1));
        let mut done = Collected::default();
        for (digest, modified) in self.list().await? {
            done.scanned += 1;
            if referenced.contains(&digest) || modified > cutoff {
                continue;
            }
            let still_unreferenced = {
                let mut tx = store.read().await?;
                !tx.blob_referenced(&digest).await?
            };
            if still_unreferenced {
                self.delete(&digest).await?;
                done.deleted += 1;
            }
        }
        Ok(done)
    }
}

/// Move file contents written before the blob store (kept by migration 0004 in
/// `catalog_file_contents`) into the blob store, one per transaction, then drop that table. Safe
/// to repeat and to run on several nodes at once; a no-op once the table is gone.
pub async fn move_legacy_contents(store: &Arc<dyn Store>, blobs: &Blobs) -> AppResult<usize> {
    if !store.has_legacy_contents().await? {
        return Ok(0);
    }
    let mut moved = 0;
    loop {
        let mut tx = store.write().await?;
        let Some((id, recorded, content)) = tx.next_legacy_content().await? else {
            tx.drop_legacy_contents().await?;
            tx.commit().await?;
            break;
        };
        let stored = blobs.put_bytes(content).await?;
        if stored.digest != recorded {
            // Kept under its own digest; `audit verify` reports the file's blob as missing.
            tracing::warn!(file = %id, "stored file content does not match its recorded digest");
        }
        tx.delete_legacy_content(&id).await?;
        tx.commit().await?;
        moved += 1;
    }
    if moved > 0 {
        tracing::info!(files = moved, blobs = %blobs.describe(), "file contents moved into the blob store");
    }
    Ok(moved)
}

/// Stream a local file, or a range of it, in chunks of [`READ_BUF`].
/// A local file (not a blob: e.g. a built archive) read as [`Blobs::get`] reads a blob.
pub(crate) async fn read_path(
    path: &Path,
    range: Option<Range<u64>>,
) -> AppResult<Option<BlobRead>> {
    read_file(path, range).await
}

async fn read_file(path: &Path, range: Option<Range<u64>>) -> AppResult<Option<BlobRead>> {
    use tokio::io::AsyncSeekExt;
    let mut file = match tokio::fs::File::open(path).await {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(internal(e)),
    };
    let size = file.metadata().await.map_err(internal)?.len();
    let range = match range {
        Some(r) => r.start.min(size)..r.end.min(size),
        None => 0..size,
    };
    file.seek(std::io::SeekFrom::Start(range.start))
        .await
        .map_err(internal)?;
    let left = range.end - range.start;
    let stream = futures_util::stream::unfold((file, left), |(mut file, left)| async move {
        if left == 0 {
            return None;
        }
        let mut buf = vec![0u8; (READ_BUF as u64).min(left) as usize];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(Bytes::from(buf)), (file, left - n as u64)))
            }
            Err(e) => Some((Err(e), (file, 0))),
        }
    })
    .boxed();
    Ok(Some(BlobRead {
        stream,
        range,
        size,
    }))
}

/// What [`copy_referenced`] did.
#[derive(Debug, Default, Clone)]
pub struct CopyReport {
    pub copied: usize,
    pub bytes: u64,
    /// Digests referenced but missing from the source.
    pub missing: Vec<String>,
    /// Digests whose source content no longer hashes to them.
    pub altered: Vec<String>,
}

/// Copy every blob that `store`'s file rows refer to from `from` into `to` (a backup), each
/// streamed through a temporary file and re-hashed on the way in.
pub async fn copy_referenced(
    store: &Arc<dyn Store>,
    from: &Blobs,
    to: &Blobs,
) -> AppResult<CopyReport> {
    let digests = store.read().await?.referenced_blobs().await?;
    let spool_dir = match to.location() {
        Location::Dir(d) => d.clone(),
        _ => std::env::temp_dir(),
    };
    let mut report = CopyReport::default();
    for digest in digests {
        let Some(mut read) = from.get(&digest, None).await? else {
            report.missing.push(digest);
            continue;
        };
        let spool = tempfile::Builder::new()
            .prefix(".copy-")
            .tempfile_in(&spool_dir)
            .map_err(internal)?;
        let mut out = tokio::fs::File::from_std(spool.as_file().try_clone().map_err(internal)?);
        while let Some(chunk) = read.stream.next().await {
            out.write_all(&chunk.map_err(internal)?)
                .await
                .map_err(internal)?;
        }
        out.flush().await.map_err(internal)?;
        let stored = to.put_file(spool.path(), u64::MAX).await?;
        if stored.digest != digest {
            to.delete(&stored.digest).await?;
            report.altered.push(digest);
            continue;
        }
        report.copied += 1;
        report.bytes += stored.size;
    }
    Ok(report)
}

/// A kind of stored file: its size limit and accepted media types.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    pub name: &'static str,
    pub max_bytes: u64,
    pub types: &'static [MediaType],
}

/// An accepted media type: the extension a name must have, the declared type, and the
/// signature the content must begin with.
#[derive(Debug, Clone, Copy)]
pub struct MediaType {
    pub ext: &'static str,
    pub mime: &'static str,
    pub magic: Magic,
}

/// Content signatures ("magic numbers").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Magic {
    Pdf,
    /// OLE2 compound file (.doc, .xls).
    Ole,
    /// ZIP container (.docx, .xlsx).
    Zip,
    Jpeg,
    Png,
}

/// Declared types that say nothing about the content (browsers send them for unknown files).
const GENERIC_TYPES: &[&str] = &[
    "application/octet-stream",
    "binary/octet-stream",
    "application/x-download",
    "application/force-download",
    "application/unknown",
];

impl Magic {
    /// Other names clients use for types of this signature (a declared type among them agrees).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Magic::Pdf => &["application/x-pdf", "application/acrobat"],
            Magic::Ole => &[
                "application/msword",
                "application/vnd.ms-excel",
                "application/x-msexcel",
                "application/x-ole-storage",
            ],
            Magic::Zip => &["application/zip", "application/x-zip-compressed"],
            Magic::Jpeg => &["image/jpg", "image/pjpeg"],
            Magic::Png => &["image/x-png"],
        }
    }

    /// What the first bytes of a content are.
    pub fn sniff(head: &[u8]) -> Option<Magic> {
        const SIGS: &[(&[u8], Magic)] = &[
            (b"%PDF-", Magic::Pdf),
            (
                &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1],
                Magic::Ole,
            ),
            (b"PK\x03\x04", Magic::Zip),
            (&[0xFF, 0xD8, 0xFF], Magic::Jpeg),
            (
                &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A],
                Magic::Png,
            ),
        ];
        SIGS.iter()
            .find(|(sig, _)| head.starts_with(sig))
            .map(|(_, m)| *m)
    }
}

/// Clean a user-supplied file name: no path, no control or reserved characters, no leading
/// dots, at most 120 characters; `None` when nothing is left.
pub fn sanitize_filename(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = base
        .chars()
        .filter(|c| {
            !c.is_control()
                && !"/\\:*?\"<>|\u{200e}\u{200f}\u{202a}\u{202b}\u{202c}\u{202d}\u{202e}"
                    .contains(*c)
        })
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .chars()
        .take(120)
        .collect();
    (!clean.is_empty()).then_some(clean)
}

impl Kind {
    /// Check a name, a declared type and the first bytes of a content against this kind: the
    /// extension selects the type; the declared type (when specific) and the sniffed signature
    /// must agree with it. Returns the cleaned name and the media type to record.
    pub fn check(
        &self,
        filename: &str,
        declared: Option<&str>,
        head: &[u8],
    ) -> Result<(String, &'static str), Problem> {
        let refused = || {
            Problem::invalid(
                "file.type",
                "仅接受 PDF、Word、Excel、JPG、PNG 文件。",
                "Only PDF, Word, Excel, JPG and PNG files are accepted.",
            )
        };
        let clean = sanitize_filename(filename).ok_or_else(refused)?;
        let ext = clean
            .rsplit_once('.')
            .map(|(_, e)| e.to_lowercase())
            .unwrap_or_default();
        let t = self
            .types
            .iter()
            .find(|t| t.ext == ext)
            .ok_or_else(refused)?;
        let declared = declared
            .map(|d| d.split(';').next().unwrap_or("").trim().to_lowercase())
            .filter(|d| !d.is_empty() && !GENERIC_TYPES.contains(&d.as_str()));
        if let Some(d) = declared
            && d != t.mime
            && !t.magic.aliases().contains(&d.as_str())
        {
            return Err(Problem::invalid(
                "file.type_mismatch",
                format!("声明的类型 {d} 与文件扩展名 .{ext} 不符。"),
                format!("The declared type {d} does not match the extension .{ext}."),
            ));
        }
        if Magic::sniff(head) != Some(t.magic) {
            return Err(Problem::invalid(
                "file.content_mismatch",
                format!("文件内容不是 .{ext} 格式。"),
                format!("The content is not a .{ext} file."),
            ));
        }
        Ok((clean, t.mime))
    }
}

/// The blob store in the capability registry: the hourly collection of unreferenced blobs.
pub const CAPABILITY: crate::registry::Capability = crate::registry::Capability {
    name: "blobs",
    jobs: &[crate::registry::JobSpec {
        kind: crate::jobs::BLOB_GC,
        run: |app, _tx, _job| {
            Box::pin(async move {
                let done = app
                    .blobs()
                    .collect_garbage(&app.store, grace_from_env())
                    .await?;
                Ok(format!(
                    "scanned {} blobs, removed {} unreferenced",
                    done.scanned, done.deleted
                ))
            })
        },
        every: Some(|_| Duration::from_secs(3600)),
    }],
    ..crate::registry::Capability::EMPTY
};

#[cfg(test)]
mod tests {
    use super::*;

    const FORM: Kind = crate::catalog::files::FORM_KIND;

    #[test]
    fn names_are_cleaned() {
        assert_eq!(
            sanitize_filename("../../etc/passwd").as_deref(),
            Some("passwd")
        );
        assert_eq!(
            sanitize_filename("C:\\x\\表格.pdf").as_deref(),
            Some("表格.pdf")
        );
        assert_eq!(
            sanitize_filename("..hidden.pdf").as_deref(),
            Some("hidden.pdf")
        );
        assert_eq!(
            sanitize_filename("a\u{202e}fdp.exe").as_deref(),
            Some("afdp.exe")
        );
        assert_eq!(sanitize_filename("../"), None);
        assert_eq!(
            sanitize_filename(&"长".repeat(300))
                .unwrap()
                .chars()
                .count(),
            120
        );
    }

    #[test]
    fn type_by_extension_declared_and_sniffed() {
        let pdf = b"%PDF-1.7\n";
        assert_eq!(
            FORM.check("表.PDF", None, pdf).unwrap(),
            ("表.PDF".into(), "application/pdf")
        );
        assert!(FORM.check("表.pdf", Some("application/pdf"), pdf).is_ok());
        assert!(
            FORM.check("表.pdf", Some("application/octet-stream"), pdf)
                .is_ok()
        );
        assert_eq!(
            FORM.check("表.pdf", Some("text/html"), pdf)
                .unwrap_err()
                .code,
            "file.type_mismatch"
        );
        assert_eq!(
            FORM.check("表.pdf", None, b"<html>").unwrap_err().code,
            "file.content_mismatch"
        );
        assert_eq!(
            FORM.check("表.png", None, pdf).unwrap_err().code,
            "file.content_mismatch"
        );
        assert_eq!(
            FORM.check("表.exe", None, b"MZ").unwrap_err().code,
            "file.type"
        );
        assert!(FORM.check("a.xlsx", None, b"PK\x03\x04rest").is_ok());
        assert!(
            FORM.check(
                "a.doc",
                None,
                &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
            )
            .is_ok()
        );
    }

    #[test]
    fn default_locations() {
        assert_eq!(default_location("sqlite://yiwang.db"), "yiwang.db.blobs");
        assert_eq!(
            default_location("sqlite:///srv/y.db?mode=rwc"),
            "/srv/y.db.blobs"
        );
        assert_eq!(default_location("postgres://u@h/db"), "yiwang.blobs");
    }

    #[tokio::test]
    async fn directory_round_trip_check_and_delete() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = Blobs::dir(dir.path()).unwrap();
        let src = dir.path().join("upload");
        let content: Vec<u8> = (0..(PART_BYTES + 12345)).map(|i| (i % 251) as u8).collect();
        std::fs::write(&src, &content).unwrap();
        let stored = blobs.put_file(&src, 64 << 20).await.unwrap();
        assert_eq!(stored.size, content.len() as u64);
        assert_eq!(stored.digest, yiwang_core::ledger::sm3_hex(&content));
        assert_eq!(
            blobs.check(&stored.digest, stored.size).await.unwrap(),
            BlobState::Intact
        );
        let mut part = blobs
            .get(&stored.digest, Some(10..20))
            .await
            .unwrap()
            .unwrap();
        let mut got = Vec::new();
        while let Some(c) = part.stream.next().await {
            got.extend_from_slice(&c.unwrap());
        }
        assert_eq!(got, &content[10..20]);
        assert_eq!(part.size, content.len() as u64);
        // Over the limit while reading.
        let e = blobs.put_file(&src, 1000).await.unwrap_err();
        assert_eq!(e.kind(), Some(yiwang_core::ProblemKind::TooLarge));
        // Altered on disk.
        let file = blobs.file_of(&stored.digest).unwrap();
        std::fs::write(&file, b"changed").unwrap();
        assert!(matches!(
            blobs.check(&stored.digest, stored.size).await.unwrap(),
            BlobState::Altered { size: 7, .. }
        ));
        blobs.delete(&stored.digest).await.unwrap();
        assert_eq!(
            blobs.check(&stored.digest, stored.size).await.unwrap(),
            BlobState::Missing
        );
        assert!(blobs.list().await.unwrap().is_empty());
    }
}
