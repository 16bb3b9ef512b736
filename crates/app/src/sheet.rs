//! Reading spreadsheets that users upload (CSV and XLSX) with every dimension bounded before
//! anything is allocated for it, and the XLSX reader isolated from the node.
//!
//! An XLSX file is a ZIP archive of XML parts, so a small file can declare enormous things: a
//! cell at `XFD1048576` (a dense range of 17 billion cells), a shared-string table of a trillion
//! entries, or parts that inflate a thousandfold. Before the spreadsheet reader sees a file, the
//! archive is checked here: the number of parts, every part's declared **and actual** inflated
//! size (the actual size is counted by inflating into nothing, so a part that lies about its size
//! is caught), the compression ratio, and the shared-string count. Cells are then read one by one
//! (never as a dense range), each checked against the row, column and cell limits, with a
//! deadline. Every failure is a 422 naming the limit.
//!
//! The XLSX reader also runs in a child process when the node is configured with one
//! ([`SheetReader::isolated`]; `yiwang serve` always is): the child lowers its own memory and CPU
//! limits, so a reader bug that panics, aborts or runs away ends the child, never the node.

use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use yiwang_core::Problem;
use yiwang_core::problem::human_size;

/// A sheet as rows of cell texts.
pub type Grid = Vec<Vec<String>>;

/// The file formats read here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SheetFormat {
    Csv,
    Xlsx,
}

impl SheetFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            SheetFormat::Csv => "text/csv; charset=utf-8",
            SheetFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }

    /// The file name of an export in this format.
    pub fn export_filename(self) -> &'static str {
        match self {
            SheetFormat::Csv => "catalog.csv",
            SheetFormat::Xlsx => "catalog.xlsx",
        }
    }

    /// By file name, or by the file's first bytes (XLSX files are ZIP archives).
    pub fn detect(filename: &str, head: &[u8]) -> SheetFormat {
        if filename.to_lowercase().ends_with(".xlsx") || head.starts_with(b"PK\x03\x04") {
            SheetFormat::Xlsx
        } else {
            SheetFormat::Csv
        }
    }

    /// By file name, or by the first bytes of the file at `path`.
    pub fn detect_file(filename: &str, path: &Path) -> SheetFormat {
        let mut head = [0u8; 4];
        let n = std::fs::File::open(path)
            .and_then(|mut f| read_up_to(&mut f, &mut head))
            .unwrap_or(0);
        SheetFormat::detect(filename, &head[..n])
    }
}

/// Bounds on what one uploaded spreadsheet may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetLimits {
    /// Parts in an XLSX archive.
    pub max_parts: usize,
    /// Bytes of all XLSX parts once inflated.
    pub max_unpacked: u64,
    /// Inflated : compressed, for parts over 1 MiB inflated.
    pub max_ratio: u64,
    /// Rows of a sheet, the header included.
    pub max_rows: usize,
    /// Columns of a sheet.
    pub max_cols: usize,
    /// Non-empty cells of all sheets read.
    pub max_cells: usize,
    /// Wall-clock time of one read.
    pub max_millis: u64,
}

impl Default for SheetLimits {
    fn default() -> Self {
        SheetLimits {
            max_parts: 1_000,
            max_unpacked: 256 * 1024 * 1024,
            max_ratio: 100,
            max_rows: 200_001,
            max_cols: 128,
            max_cells: 5_000_000,
            max_millis: 30_000,
        }
    }
}

/// The sheets of a file: the first one, and the extra sheets asked for by name (XLSX only).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sheets {
    pub first: Grid,
    pub extra: Vec<(String, Grid)>,
}

impl Sheets {
    pub fn take_extra(&mut self, name: &str) -> Option<Grid> {
        let i = self.extra.iter().position(|(n, _)| n == name)?;
        Some(self.extra.swap_remove(i).1)
    }
}

fn limit(code: &str, zh: String, en: String, max: u64) -> Problem {
    Problem::invalid(code, zh, en).with_details(serde_json::json!({ "limit": max }))
}

fn unreadable(en: impl std::fmt::Display) -> Problem {
    Problem::invalid(
        "sheet.unreadable",
        "无法读取该表格文件，请确认是有效的 CSV 或 XLSX 文件。",
        format!("The spreadsheet cannot be read: {en}"),
    )
}

fn too_slow(l: &SheetLimits) -> Problem {
    limit(
        "sheet.too_slow",
        format!(
            "表格读取超过{}秒的上限，请拆分后分批导入。",
            l.max_millis / 1000
        ),
        format!(
            "Reading the spreadsheet took longer than the limit of {} s; split it into smaller files.",
            l.max_millis / 1000
        ),
        l.max_millis,
    )
}

fn too_many_rows(l: &SheetLimits) -> Problem {
    limit(
        "sheet.too_many_rows",
        format!("表格超过{}行的上限，请拆分后分批导入。", l.max_rows),
        format!(
            "The sheet has more than the limit of {} rows; split it into smaller files.",
            l.max_rows
        ),
        l.max_rows as u64,
    )
}

fn too_many_cols(l: &SheetLimits) -> Problem {
    limit(
        "sheet.too_many_columns",
        format!("表格超过{}列的上限。", l.max_cols),
        format!(
            "The sheet has more than the limit of {} columns.",
            l.max_cols
        ),
        l.max_cols as u64,
    )
}

fn too_many_cells(l: &SheetLimits) -> Problem {
    limit(
        "sheet.too_many_cells",
        format!("表格超过{}个非空单元格的上限。", l.max_cells),
        format!(
            "The spreadsheet has more than the limit of {} non-empty cells.",
            l.max_cells
        ),
        l.max_cells as u64,
    )
}

fn unpacked_too_large(l: &SheetLimits) -> Problem {
    let size = human_size(l.max_unpacked);
    limit(
        "sheet.unpacked_too_large",
        format!("XLSX 文件解压后超过{size}的上限。"),
        format!("The XLSX file inflates to more than the limit of {size}."),
        l.max_unpacked,
    )
}

struct Deadline<'a> {
    until: Instant,
    limits: &'a SheetLimits,
}

impl Deadline<'_> {
    fn check(&self) -> Result<(), Problem> {
        if Instant::now() > self.until {
            Err(too_slow(self.limits))
        } else {
            Ok(())
        }
    }
}

/// Grows a grid cell by cell within the limits, then trims it to the cells' bounding box (as a
/// spreadsheet program's "used range").
struct GridBuilder<'a> {
    rows: Grid,
    first_row: usize,
    first_col: usize,
    limits: &'a SheetLimits,
}

impl<'a> GridBuilder<'a> {
    fn new(limits: &'a SheetLimits) -> Self {
        GridBuilder {
            rows: Vec::new(),
            first_row: usize::MAX,
            first_col: usize::MAX,
            limits,
        }
    }

    fn put(&mut self, row: usize, col: usize, text: String) -> Result<(), Problem> {
        if row >= self.limits.max_rows {
            return Err(too_many_rows(self.limits));
        }
        if col >= self.limits.max_cols {
            return Err(too_many_cols(self.limits));
        }
        if self.rows.len() <= row {
            self.rows.resize_with(row + 1, Vec::new);
        }
        let r = &mut self.rows[row];
        if r.len() <= col {
            r.resize_with(col + 1, String::new);
        }
        r[col] = text;
        self.first_row = self.first_row.min(row);
        self.first_col = self.first_col.min(col);
        Ok(())
    }

    fn finish(self) -> Grid {
        if self.first_row == usize::MAX {
            return Vec::new();
        }
        let width = self.rows.iter().map(Vec::len).max().unwrap_or(0) - self.first_col;
        self.rows
            .into_iter()
            .skip(self.first_row)
            .map(|mut r| {
                r.resize_with(self.first_col + width, String::new);
                r.drain(..self.first_col);
                r
            })
            .collect()
    }
}

/// Read a CSV file (UTF-8, with or without a byte-order mark) within the limits.
pub fn read_csv(path: &Path, limits: &SheetLimits) -> Result<Sheets, Problem> {
    let deadline = Deadline {
        until: Instant::now() + Duration::from_millis(limits.max_millis),
        limits,
    };
    let mut file = BufReader::new(std::fs::File::open(path).map_err(unreadable)?);
    let mut bom = [0u8; 3];
    let n = read_up_to(&mut file, &mut bom).map_err(unreadable)?;
    let head: &[u8] = if bom[..n] == [0xef, 0xbb, 0xbf] {
        &[]
    } else {
        &bom[..n]
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(head.chain(file));
    let mut grid = Vec::new();
    let mut cells = 0usize;
    for (i, rec) in reader.records().enumerate() {
        let line = i + 1;
        let rec = rec.map_err(|e| {
            let at = e.position().map(|p| p.line() as usize).unwrap_or(line);
            Problem::invalid(
                "import.csv",
                format!("第{at}行：CSV 格式错误或不是 UTF-8 编码。"),
                format!("line {at}: not valid UTF-8 CSV: {e}"),
            )
        })?;
        if line > limits.max_rows {
            return Err(too_many_rows(limits));
        }
        if rec.len() > limits.max_cols {
            return Err(too_many_cols(limits));
        }
        cells += rec.iter().filter(|c| !c.is_empty()).count();
        if cells > limits.max_cells {
            return Err(too_many_cells(limits));
        }
        if line % 4096 == 0 {
            deadline.check()?;
        }
        grid.push(rec.iter().map(String::from).collect());
    }
    Ok(Sheets {
        first: grid,
        extra: Vec::new(),
    })
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Check an XLSX archive's parts before any spreadsheet reader opens it: how many, how large
/// once inflated (declared and counted), how compressed, and how many shared strings they
/// declare.
pub fn check_xlsx_archive(path: &Path, limits: &SheetLimits) -> Result<(), Problem> {
    let deadline = Deadline {
        until: Instant::now() + Duration::from_millis(limits.max_millis),
        limits,
    };
    let file = BufReader::new(std::fs::File::open(path).map_err(unreadable)?);
    let mut zip = zip::ZipArchive::new(file).map_err(unreadable)?;
    if zip.len() > limits.max_parts {
        return Err(limit(
            "sheet.too_many_parts",
            format!("XLSX 文件包含的部件超过{}个的上限。", limits.max_parts),
            format!(
                "The XLSX file has more than the limit of {} parts.",
                limits.max_parts
            ),
            limits.max_parts as u64,
        ));
    }
    let mut declared_total = 0u64;
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(unreadable)?;
        let (size, packed) = (part.size(), part.compressed_size().max(1));
        declared_total = declared_total.saturating_add(size);
        if declared_total > limits.max_unpacked {
            return Err(unpacked_too_large(limits));
        }
        if size > 1024 * 1024 && size / packed > limits.max_ratio {
            return Err(limit(
                "sheet.compression_ratio",
                format!(
                    "XLSX 文件的压缩比超过{}:1的上限，疑似压缩炸弹。",
                    limits.max_ratio
                ),
                format!(
                    "The XLSX file is compressed more than the limit of {}:1 (a decompression bomb?).",
                    limits.max_ratio
                ),
                limits.max_ratio,
            ));
        }
    }
    // Count what the parts really inflate to: a part may declare a small size and inflate to
    // far more.
    let mut actual_total = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(unreadable)?;
        let declared = part.size();
        let shared_strings = part
            .name()
            .map(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"))
            .unwrap_or(false);
        let mut head = Vec::new();
        let mut actual = 0u64;
        loop {
            let n = part.read(&mut buf).map_err(unreadable)?;
            if n == 0 {
                break;
            }
            if shared_strings && head.len() < 4096 {
                head.extend_from_slice(&buf[..n.min(4096 - head.len())]);
            }
            actual += n as u64;
            actual_total += n as u64;
            if actual > declared {
                return Err(unreadable("a part inflates beyond its declared size"));
            }
            if actual_total > limits.max_unpacked {
                return Err(unpacked_too_large(limits));
            }
            deadline.check()?;
        }
        if shared_strings
            && let Some(n) = declared_count(&head)
            && n > limits.max_cells as u64
        {
            return Err(too_many_cells(limits));
        }
    }
    Ok(())
}

/// The largest `count` / `uniqueCount` declared on the `<sst …>` element at the start of a
/// shared-string part (a reader may reserve that many entries up front).
fn declared_count(head: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(head);
    let start = text.find("<sst")?;
    let tag = &text[start..];
    let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
    let mut most = None;
    for attr in ["uniqueCount=\"", "count=\""] {
        let mut rest = tag;
        while let Some(at) = rest.find(attr) {
            let digits: String = rest[at + attr.len()..]
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            // An absurdly long number is as bad as a large one.
            let n = digits.parse::<u64>().unwrap_or(u64::MAX);
            most = Some(most.map_or(n, |m: u64| m.max(n)));
            rest = &rest[at + attr.len()..];
        }
    }
    most
}

/// Read an XLSX file within the limits: its first sheet and the sheets named in `extra` (those
/// that exist). Runs the archive check first.
pub fn read_xlsx(path: &Path, extra: &[String], limits: &SheetLimits) -> Result<Sheets, Problem> {
    use calamine::{Data, DataType, Reader, Xlsx};
    check_xlsx_archive(path, limits)?;
    let deadline = Deadline {
        until: Instant::now() + Duration::from_millis(limits.max_millis),
        limits,
    };
    let file = BufReader::new(std::fs::File::open(path).map_err(unreadable)?);
    let mut wb: Xlsx<_> = Xlsx::new(file).map_err(unreadable)?;
    let names = wb.sheet_names().to_vec();
    let first = names
        .first()
        .ok_or_else(|| unreadable("the workbook has no worksheet"))?
        .clone();
    let mut wanted = vec![first];
    wanted.extend(names.iter().filter(|n| extra.contains(n)).cloned());
    let mut cells = 0usize;
    let mut grids = Vec::new();
    for name in &wanted {
        let mut reader = wb.worksheet_cells_reader(name).map_err(unreadable)?;
        let dims = reader.dimensions();
        if dims.end.0 as usize >= limits.max_rows {
            return Err(too_many_rows(limits));
        }
        if dims.end.1 as usize >= limits.max_cols {
            return Err(too_many_cols(limits));
        }
        let mut grid = GridBuilder::new(limits);
        let mut seen = 0usize;
        while let Some(cell) = reader.next_cell().map_err(unreadable)? {
            seen += 1;
            if seen.is_multiple_of(4096) {
                deadline.check()?;
            }
            let value = cell.get_value();
            if value.is_empty() {
                continue;
            }
            cells += 1;
            if cells > limits.max_cells {
                return Err(too_many_cells(limits));
            }
            let (row, col) = cell.get_position();
            grid.put(
                row as usize,
                col as usize,
                cell_text(Data::from(value.clone())),
            )?;
        }
        grids.push((name.clone(), grid.finish()));
    }
    let mut grids = grids.into_iter();
    let (_, first) = grids.next().unwrap_or_default();
    Ok(Sheets {
        first,
        extra: grids.collect(),
    })
}

/// A cell as the text the layouts expect: whole numbers without a decimal point, booleans as
/// 是/否.
fn cell_text(c: calamine::Data) -> String {
    use calamine::Data;
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s,
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if b { "是" } else { "否" }.to_string(),
        other => other.to_string(),
    }
}

/// Read a file in the current process, a reader panic answered as an unreadable file.
pub fn read_in_process(
    path: &Path,
    format: SheetFormat,
    extra: &[String],
    limits: &SheetLimits,
) -> Result<Sheets, Problem> {
    let run = || match format {
        SheetFormat::Csv => read_csv(path, limits),
        SheetFormat::Xlsx => read_xlsx(path, extra, limits),
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|_| {
        tracing::warn!("spreadsheet reader panicked");
        Err(unreadable("the reader failed"))
    })
}

/// What a reader child prints on its standard output.
#[derive(Serialize, Deserialize)]
enum ChildAnswer {
    Sheets(Sheets),
    Problem {
        code: String,
        message: String,
        message_en: String,
        details: Option<serde_json::Value>,
    },
}

/// The arguments a reader child is started with (after the executable's own verb).
#[derive(Serialize, Deserialize)]
struct ChildRequest {
    path: PathBuf,
    format: SheetFormat,
    extra: Vec<String>,
    limits: SheetLimits,
    memory_mb: u64,
}

/// Reads uploaded spreadsheets for a node: a few at a time, in a child process when configured.
pub struct SheetReader {
    limits: SheetLimits,
    /// The executable to start as `EXE internal-read-sheet JSON`; in-process when `None`.
    child_exe: Option<PathBuf>,
    /// Address-space limit of a child, in MiB.
    child_memory_mb: u64,
    permits: Arc<Semaphore>,
}

/// The verb a reader child is started with.
pub const CHILD_VERB: &str = "internal-read-sheet";

impl SheetReader {
    /// Read in this process (tests, tools): bounded, panics caught, but an abort would end it.
    pub fn in_process(limits: SheetLimits) -> Self {
        SheetReader {
            limits,
            child_exe: None,
            child_memory_mb: 0,
            permits: Arc::new(Semaphore::new(2)),
        }
    }

    /// Read XLSX files in a child process `exe internal-read-sheet …` limited to `memory_mb` of
    /// address space and the time limit.
    pub fn isolated(limits: SheetLimits, exe: PathBuf, memory_mb: u64) -> Self {
        SheetReader {
            limits,
            child_exe: Some(exe),
            child_memory_mb: memory_mb,
            permits: Arc::new(Semaphore::new(2)),
        }
    }

    pub fn limits(&self) -> &SheetLimits {
        &self.limits
    }

    /// Read a file. At most two reads run at once on a node; a third waits up to 10 s for its
    /// turn and is then told the service is busy (503).
    pub async fn read(
        &self,
        path: &Path,
        format: SheetFormat,
        extra: &[String],
    ) -> Result<Sheets, Problem> {
        let _turn = tokio::time::timeout(
            Duration::from_secs(10),
            self.permits.clone().acquire_owned(),
        )
        .await
        .map_err(|_| Problem::busy())?
        .map_err(|_| Problem::busy())?;
        match (&self.child_exe, format) {
            (Some(exe), SheetFormat::Xlsx) => self.read_in_child(exe, path, format, extra).await,
            _ => {
                let (path, extra, limits) = (path.to_path_buf(), extra.to_vec(), self.limits);
                tokio::task::spawn_blocking(move || read_in_process(&path, format, &extra, &limits))
                    .await
                    .unwrap_or_else(|_| Err(unreadable("the reader failed")))
            }
        }
    }

    async fn read_in_child(
        &self,
        exe: &Path,
        path: &Path,
        format: SheetFormat,
        extra: &[String],
    ) -> Result<Sheets, Problem> {
        use tokio::io::AsyncReadExt;
        let request = ChildRequest {
            path: path.to_path_buf(),
            format,
            extra: extra.to_vec(),
            limits: self.limits,
            memory_mb: self.child_memory_mb,
        };
        let arg = serde_json::to_string(&request).map_err(unreadable)?;
        let mut child = tokio::process::Command::new(exe)
            .arg(CHILD_VERB)
            .arg(arg)
            .env_remove("YIWANG_SIGNING_KEY")
            .env_remove("YIWANG_DB")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                tracing::error!(error = %e, "cannot start the spreadsheet reader");
                Problem::busy()
            })?;
        let mut stdout = child.stdout.take().expect("piped stdout");
        // The answer holds at most the inflated parts' text plus JSON quoting.
        let cap = self.limits.max_unpacked.saturating_mul(2) + 1024 * 1024;
        let mut out = Vec::new();
        let budget = Duration::from_millis(self.limits.max_millis + 2_000);
        let read = async {
            (&mut stdout).take(cap).read_to_end(&mut out).await?;
            child.wait().await
        };
        let status = match tokio::time::timeout(budget, read).await {
            Ok(Ok(status)) => status,
            Ok(Err(e)) => return Err(unreadable(e)),
            Err(_) => {
                let _ = child.start_kill();
                return Err(too_slow(&self.limits));
            }
        };
        match serde_json::from_slice::<ChildAnswer>(&out) {
            Ok(ChildAnswer::Sheets(s)) if status.success() => Ok(s),
            Ok(ChildAnswer::Problem {
                code,
                message,
                message_en,
                details,
            }) => {
                let mut p = Problem::invalid(code, message, message_en);
                p.details = details;
                Err(p)
            }
            _ => {
                tracing::warn!(%status, "spreadsheet reader child failed");
                Err(unreadable(
                    "the reader stopped (the file needs too much memory or time, or is damaged)",
                ))
            }
        }
    }
}

/// The body of the reader child (`yiwang internal-read-sheet JSON`): lower this process's
/// limits, read, print the answer as JSON. Returns the exit code.
pub fn child_main(arg: &str) -> i32 {
    let Ok(req) = serde_json::from_str::<ChildRequest>(arg) else {
        return 2;
    };
    lower_limits(req.memory_mb, req.limits.max_millis / 1000 + 1);
    let answer = match read_in_process(&req.path, req.format, &req.extra, &req.limits) {
        Ok(s) => ChildAnswer::Sheets(s),
        Err(p) => ChildAnswer::Problem {
            code: p.code,
            message: p.message,
            message_en: p.message_en,
            details: p.details,
        },
    };
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let written = serde_json::to_writer(&mut out, &answer).is_ok() && out.flush().is_ok();
    if written { 0 } else { 1 }
}

/// Address space and CPU seconds of this process, so that the kernel ends a runaway reader.
#[cfg(unix)]
fn lower_limits(memory_mb: u64, cpu_secs: u64) {
    let set = |resource, value: u64| {
        let lim = libc::rlimit {
            rlim_cur: value as libc::rlim_t,
            rlim_max: value as libc::rlim_t,
        };
        // SAFETY: setrlimit reads the struct we pass and changes only this process's limits.
        unsafe { libc::setrlimit(resource, &lim) };
    };
    if memory_mb > 0 {
        set(libc::RLIMIT_AS, memory_mb * 1024 * 1024);
    }
    set(libc::RLIMIT_CPU, cpu_secs);
}

#[cfg(not(unix))]
fn lower_limits(_memory_mb: u64, _cpu_secs: u64) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_counts_are_found_on_the_sst_tag() {
        let xml =
            br#"<?xml version="1.0"?><sst xmlns="x" count="12" uniqueCount="99999999999999"><si>"#;
        assert_eq!(declared_count(xml), Some(99_999_999_999_999));
        let xml = br#"<sst count="3" uniqueCount="2">"#;
        assert_eq!(declared_count(xml), Some(3));
        assert_eq!(declared_count(b"<other/>"), None);
        // Too many digits to parse counts as too many.
        let xml = br#"<sst uniqueCount="99999999999999999999999999">"#;
        assert_eq!(declared_count(xml), Some(u64::MAX));
    }

    #[test]
    fn grid_builder_trims_to_the_used_range_and_respects_limits() {
        let limits = SheetLimits {
            max_rows: 10,
            max_cols: 5,
            ..Default::default()
        };
        let mut g = GridBuilder::new(&limits);
        g.put(1, 1, "a".into()).unwrap();
        g.put(2, 3, "b".into()).unwrap();
        assert_eq!(
            g.finish(),
            vec![
                vec!["a".to_string(), String::new(), String::new()],
                vec![String::new(), String::new(), "b".to_string()],
            ]
        );
        let mut g = GridBuilder::new(&limits);
        assert_eq!(
            g.put(10, 0, "x".into()).unwrap_err().code,
            "sheet.too_many_rows"
        );
        assert_eq!(
            g.put(0, 5, "x".into()).unwrap_err().code,
            "sheet.too_many_columns"
        );
        assert!(GridBuilder::new(&limits).finish().is_empty());
    }
}
