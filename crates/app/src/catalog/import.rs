//! Import and export of the catalogue in the documented layout (docs/catalog-csv.md), as CSV or
//! XLSX. An import is all-or-nothing: every row is checked first and every bad row reported with
//! its line; only a clean file is written, in one transaction.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use yiwang_core::Problem;
use yiwang_core::access::{self, Actor, Permission, Scope};
use yiwang_core::catalog::table::{
    self, BUNDLE_COLUMNS, COLUMNS, RowError, format_bundle, format_item, parse_bundles,
    parse_items_all,
};
use yiwang_core::catalog::{BundleBody, ItemAction, ItemStatus};
use yiwang_store::prelude::*;
use yiwang_store::{Organisation, Store};

use super::bundles::save_bundle_in;
use super::files::{generate_form, insert_generated};
use super::items::{change_status_in, insert_new_item, parse_body, precheck_import_row, save_in};
use crate::{Acting, App, AppError, AppResult};

pub use crate::sheet::{Grid, SheetFormat as Format};

/// Rows written per transaction: an import of 100,000 rows never holds the write lock for more
/// than a fraction of a second at a time, so other writers (and the job runner) keep going.
pub const CHUNK_ROWS: usize = 200;

/// Errors reported per column and reason, beyond which only the count is given.
pub const ERRORS_PER_KIND: usize = 5;

/// The whole list of an import's errors as CSV (line, column, code, message, English message).
pub fn errors_csv(errors: &[RowError]) -> Vec<u8> {
    let mut grid: Grid = vec![
        ["line", "column", "code", "message", "message_en"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    ];
    for e in errors {
        grid.push(vec![
            e.line.to_string(),
            e.column.clone().unwrap_or_default(),
            e.code.clone(),
            e.message.clone(),
            e.message_en.clone(),
        ]);
    }
    table::grid_to_csv(&grid)
}

/// The problem of a file with bad rows. Its details stay small whatever the file: the total,
/// a summary per column and reason with counts, and the first [`ERRORS_PER_KIND`] errors of each;
/// with `full` also `all_errors`, the whole list (for a downloadable report).
fn rows_problem(mut errors: Vec<RowError>, full: bool) -> Problem {
    errors.sort_by_key(|e| e.line);
    let n = errors.len();
    let first = errors
        .first()
        .map(|e| (e.message.clone(), e.message_en.clone()))
        .unwrap_or_default();
    // (column, code) → how many, and the lines of the first few.
    type Kind = ((Option<String>, String), usize, Vec<usize>);
    let mut kinds: Vec<Kind> = Vec::new();
    let mut shown = Vec::new();
    for (i, e) in errors.iter().enumerate() {
        let key = (e.column.clone(), e.code.clone());
        let at = match kinds.iter().position(|k| k.0 == key) {
            Some(at) => at,
            None => {
                kinds.push((key, 0, Vec::new()));
                kinds.len() - 1
            }
        };
        let kind = &mut kinds[at];
        kind.1 += 1;
        if kind.2.len() < ERRORS_PER_KIND {
            kind.2.push(e.line);
            shown.push(i);
        }
    }
    let summary: Vec<serde_json::Value> = kinds
        .iter()
        .map(|((column, code), count, lines)| {
            serde_json::json!({ "column": column, "code": code, "count": count, "first_lines": lines })
        })
        .collect();
    let shown: Vec<&RowError> = shown.iter().map(|&i| &errors[i]).collect();
    let mut details = serde_json::json!({
        "total": n,
        "summary": summary,
        "errors": shown,
        "truncated": shown.len() < n,
    });
    if full {
        details["all_errors"] = serde_json::json!(errors);
    }
    Problem::invalid(
        "import.rows",
        format!("导入文件有{n}处错误，未导入任何数据。{}", first.0),
        format!(
            "The file has {n} error(s); nothing was imported. {}",
            first.1
        ),
    )
    .with_details(details)
}

/// The rows of an import problem's full error list (`all_errors`), when it has one.
pub fn all_errors(p: &Problem) -> Option<Vec<RowError>> {
    let v = p.details.as_ref()?.get("all_errors")?;
    serde_json::from_value(v.clone()).ok()
}

/// The sheet of an XLSX file that holds bundles.
pub const BUNDLES_SHEET: &str = "bundles";

/// Read a file of the layout from memory into grids: items, and bundles when the XLSX has a
/// `bundles` sheet. For files the platform holds or made itself (the CLI, tests); uploads go
/// through [`read_upload`].
pub fn read_grid(format: Format, bytes: &[u8]) -> Result<(Grid, Option<Grid>), Problem> {
    let mut file = tempfile::NamedTempFile::new().map_err(|e| {
        Problem::invalid(
            "sheet.unreadable",
            "无法暂存文件",
            format!("cannot stage the file: {e}"),
        )
    })?;
    std::io::Write::write_all(&mut file, bytes).map_err(|e| {
        Problem::invalid(
            "sheet.unreadable",
            "无法暂存文件",
            format!("cannot stage the file: {e}"),
        )
    })?;
    let mut sheets = crate::sheet::read_in_process(
        file.path(),
        format,
        &[BUNDLES_SHEET.to_string()],
        &crate::sheet::SheetLimits::default(),
    )?;
    let bundles = sheets.take_extra(BUNDLES_SHEET);
    Ok((sheets.first, bundles))
}

/// Read an uploaded file of the layout (spooled to `path`) with the node's bounded reader.
pub async fn read_upload(
    app: &App,
    format: Format,
    path: &std::path::Path,
) -> Result<(Grid, Option<Grid>), Problem> {
    let mut sheets = app
        .sheets()
        .read(path, format, &[BUNDLES_SHEET.to_string()])
        .await?;
    let bundles = sheets.take_extra(BUNDLES_SHEET);
    Ok((sheets.first, bundles))
}

/// May this caller import into the catalogue at all? Checked before an upload is read, so that
/// a caller without the permission costs the node nothing.
pub fn authorize_import(actor: &Actor) -> AppResult<()> {
    if access::grants_allowing(actor, Permission::ManageCatalog)
        .next()
        .is_none()
    {
        return Err(Problem::forbidden().into());
    }
    Ok(())
}

/// Write grids as a file of the layout (XLSX: items on the first sheet, bundles on `bundles`).
pub fn write_grid(format: Format, items: &Grid, bundles: &Grid) -> Vec<u8> {
    match format {
        Format::Csv => table::grid_to_csv(items),
        Format::Xlsx => {
            let mut wb = rust_xlsxwriter::Workbook::new();
            for (name, grid) in [("items", items), ("bundles", bundles)] {
                let sheet = wb.add_worksheet();
                let _ = sheet.set_name(name);
                for (r, row) in grid.iter().enumerate() {
                    for (c, cell) in row.iter().enumerate() {
                        let _ = sheet.write(r as u32, c as u16, cell.as_str());
                    }
                }
            }
            wb.save_to_buffer().unwrap_or_default()
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub rows: usize,
    pub items_created: usize,
    pub versions_created: usize,
    pub published: usize,
    pub bundles: usize,
}

/// Options of an import.
#[derive(Default)]
pub struct ImportOptions<'a> {
    /// Called after each row is written: (done, total).
    pub progress: Option<&'a (dyn Fn(usize, usize) + Send + Sync)>,
    /// Generate blank forms and filled samples for application forms (demo data).
    pub generate_forms: bool,
    /// Put the whole error list in the problem's details (`all_errors`), not only the summary.
    pub full_error_list: bool,
}

/// Import items (and bundles). `actor` None is the platform itself (the CLI, the demo); an actor
/// must manage every department named in the file.
///
/// All or nothing for bad input: every row is parsed and checked against every rule — its own
/// elements, its department and the caller's permission there, and the state of the item it
/// updates — in a read transaction, and a file with any bad row writes nothing. A clean file is
/// then written in transactions of [`CHUNK_ROWS`] rows, so that a large import never holds the
/// database's write lock for long. Only a concurrent change to the same items between the check
/// and the write can stop it half-way; the answer then names the line and how many rows were
/// written (`import.interrupted`).
pub async fn import(
    app: &App,
    actor: Option<&Actor>,
    items: &Grid,
    bundles: Option<&Grid>,
    opts: ImportOptions<'_>,
) -> AppResult<ImportReport> {
    if let Some(a) = actor {
        authorize_import(a)?;
    }
    let (rows, mut errors) = parse_items_all(items);
    let bundle_rows = match bundles {
        Some(g) if g.len() > 1 => match parse_bundles(g) {
            Ok(rows) => rows,
            Err(mut e) => {
                errors.append(&mut e);
                Vec::new()
            }
        },
        _ => Vec::new(),
    };
    let mut tx = app.store.read().await?;
    let orgs = tx.list_organisations("").await?;
    let by_name: HashMap<&str, &Organisation> = orgs.iter().map(|o| (o.name.as_str(), o)).collect();
    // Check every row's department (existence and permission) and the rules its write will meet
    // before writing anything, and report them together with the rows' own errors.
    let bad_lines: std::collections::HashSet<usize> = errors.iter().map(|e| e.line).collect();
    let mut targets = Vec::new();
    for row in &rows {
        match by_name.get(row.department.as_str()) {
            None => errors.push(row_error(
                row.line,
                "department",
                format!("机构“{}”不存在", row.department),
                format!("no organisation named \"{}\"", row.department),
            )),
            Some(org) => {
                let acting = match actor {
                    None => Some(Acting::system()),
                    Some(a) => {
                        access::authorize(a, Permission::ManageCatalog, Scope::Org(&org.path))
                            .ok()
                            .map(|g| Acting::as_grant(a, g))
                    }
                };
                match acting {
                    Some(by) => {
                        let checked = match bad_lines.contains(&row.line) {
                            true => Ok(()),
                            false => {
                                precheck_import_row(&mut *tx, org, &row.body, row.publish).await
                            }
                        };
                        match checked {
                            Err(AppError::Problem(p)) => {
                                errors.push(row_error(row.line, "code", p.message, p.message_en))
                            }
                            Err(e) => return Err(e),
                            Ok(()) => {}
                        }
                        targets.push(((*org).clone(), by));
                    }
                    None => errors.push(row_error(
                        row.line,
                        "department",
                        format!("无权管理“{}”的事项", row.department),
                        format!("not allowed to manage items of \"{}\"", row.department),
                    )),
                }
            }
        }
    }
    let centre = match bundle_rows.is_empty() {
        true => None,
        false => {
            let first = targets.first().map(|(o, _)| o.clone());
            let centre = match &first {
                Some(org) => bundle_owner(&orgs, org),
                None => None,
            }
            .ok_or_else(|| {
                Problem::invalid(
                    "import.bundle_owner",
                    "找不到一件事所属的政务服务中心",
                    "No government-service centre found to own the bundles",
                )
            })?;
            let by = match actor {
                None => Acting::system(),
                Some(a) => Acting::as_grant(
                    a,
                    access::authorize(a, Permission::ManageCatalog, Scope::Org(&centre.path))?,
                ),
            };
            Some((centre, by))
        }
    };
    drop(tx);
    if !errors.is_empty() {
        return Err(rows_problem(errors, opts.full_error_list).into());
    }
    let mut report = ImportReport {
        rows: rows.len(),
        ..Default::default()
    };
    let work: Vec<_> = rows.iter().zip(targets.iter()).collect();
    let mut written = 0;
    for chunk in work.chunks(CHUNK_ROWS) {
        let mut tx = app.store.write().await?;
        for (row, (org, by)) in chunk {
            let result = import_row(
                &mut *tx,
                app,
                by,
                org,
                row,
                opts.generate_forms,
                &mut report,
            )
            .await;
            if let Err(AppError::Problem(p)) = result {
                return Err(interrupted(row.line, written, p).into());
            }
            result?;
        }
        tx.commit().await?;
        written += chunk.len();
        if let Some(cb) = opts.progress {
            cb(written, rows.len());
        }
    }
    if let Some((centre, by)) = centre {
        let mut tx = app.store.write().await?;
        for b in &bundle_rows {
            let body: BundleBody = b.body.clone();
            if let Err(AppError::Problem(p)) =
                save_bundle_in(&mut *tx, &by, &centre, body, true).await
            {
                return Err(rows_problem(
                    vec![RowError {
                        line: b.line,
                        column: Some("items".into()),
                        code: p.code.clone(),
                        message: format!("一件事第{}行：{}", b.line, p.message),
                        message_en: format!("bundle line {}: {}", b.line, p.message_en),
                    }],
                    false,
                )
                .into());
            }
            report.bundles += 1;
        }
        tx.commit().await?;
    }
    app.search_sync().await;
    Ok(report)
}

/// A clean file stopped by a concurrent change after `written` rows were committed.
fn interrupted(line: usize, written: usize, p: Problem) -> Problem {
    Problem::conflict(
        "import.interrupted",
        format!(
            "第{line}行导入时失败：{}。此前的{written}行已导入；请核对后重新导入第{line}行及其后的行。",
            p.message
        ),
        format!(
            "Line {line} failed while importing: {}. The {written} row(s) before it were imported; check and import line {line} onwards again.",
            p.message_en
        ),
    )
    .with_details(serde_json::json!({ "line": line, "written_rows": written, "cause": p.code }))
}

fn row_error(line: usize, column: &str, zh: String, en: String) -> RowError {
    RowError {
        line,
        column: Some(column.into()),
        code: "import.cell".into(),
        message: format!("第{line}行“{column}”列:{zh}"),
        message_en: format!("line {line}, column {column}: {en}"),
    }
}

/// The government-service centre beside an organisation (same parent), owner of bundles.
fn bundle_owner(orgs: &[Organisation], org: &Organisation) -> Option<Organisation> {
    orgs.iter()
        .find(|o| o.kind == "service_centre" && o.parent_id == org.parent_id)
        .cloned()
}

async fn import_row(
    tx: &mut dyn WriteTx,
    app: &App,
    by: &Acting,
    org: &Organisation,
    row: &table::ItemRow,
    generate_forms: bool,
    report: &mut ImportReport,
) -> AppResult<()> {
    let mut body = row.body.clone();
    if generate_forms {
        for m in body.materials.iter_mut() {
            if ["申请书", "申请表", "登记表"]
                .iter()
                .any(|s| m.name.ends_with(s))
            {
                let blank = generate_form(&row.body, &m.name, false);
                let sample = generate_form(&row.body, &m.name, true);
                m.blank_form = Some(
                    insert_generated(tx, app.blobs(), by, &format!("{}.xlsx", m.name), blank)
                        .await?
                        .id,
                );
                m.sample = Some(
                    insert_generated(
                        tx,
                        app.blobs(),
                        by,
                        &format!("{}(示例).xlsx", m.name),
                        sample,
                    )
                    .await?
                    .id,
                );
            }
        }
    }
    let view = match tx.find_item(body.code.as_str(), &org.id).await? {
        None => {
            report.items_created += 1;
            insert_new_item(tx, by, org, body, None).await?
        }
        Some(item) => {
            report.versions_created += 1;
            save_in(tx, by, item, org, body).await?
        }
    };
    if row.publish && view.item.status != ItemStatus::Suspended.as_str() {
        change_status_in(tx, by, view.item, org, ItemAction::Publish).await?;
        report.published += 1;
    }
    Ok(())
}

/// Export what the actor manages (the subtree of its first catalogue-management grant).
pub async fn export_managed(store: &Arc<dyn Store>, actor: &Actor) -> AppResult<(Grid, Grid)> {
    let prefixes: Vec<&str> = access::grants_allowing(actor, Permission::ManageCatalog)
        .map(|g| g.org_path.as_str())
        .collect();
    if prefixes.is_empty() {
        return Err(Problem::forbidden().into());
    }
    export_within(store, &prefixes, None).await
}

/// The catalogue as grids of the layout: the newest version of every item (with its status) and
/// every bundle, of organisations under `path_prefix` ("" for all).
pub async fn export(
    store: &Arc<dyn Store>,
    path_prefix: &str,
    progress: Option<&(dyn Fn(usize, usize) + Send + Sync)>,
) -> AppResult<(Grid, Grid)> {
    export_within(store, &[path_prefix], progress).await
}

/// [`export`] of the organisations under any of `prefixes` (a manager's grants; nested grants
/// list an item once).
async fn export_within(
    store: &Arc<dyn Store>,
    prefixes: &[&str],
    progress: Option<&(dyn Fn(usize, usize) + Send + Sync)>,
) -> AppResult<(Grid, Grid)> {
    let mut tx = store.read().await?;
    let orgs: HashMap<String, Organisation> = tx
        .list_organisations("")
        .await?
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect();
    let mut items = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for prefix in prefixes {
        for item in tx.list_items(prefix).await? {
            if seen.insert(item.id.clone()) {
                items.push(item);
            }
        }
    }
    let mut grid: Grid = vec![COLUMNS.iter().map(|c| c.to_string()).collect()];
    for (i, item) in items.iter().enumerate() {
        if let Some(v) = tx.get_item_version(&item.id, item.latest_version).await? {
            let body = parse_body(&v)?;
            let dept = orgs
                .get(&item.org_id)
                .map(|o| o.name.as_str())
                .unwrap_or("");
            grid.push(format_item(&body, dept, v.frozen == 1));
        }
        if let Some(cb) = progress {
            cb(i + 1, items.len());
        }
    }
    let mut bundles: Grid = vec![BUNDLE_COLUMNS.iter().map(|c| c.to_string()).collect()];
    for b in tx.list_bundles().await? {
        let within = orgs
            .get(&b.org_id)
            .is_some_and(|o| prefixes.iter().any(|p| o.path.starts_with(p)));
        if within && let Ok(body) = serde_json::from_str::<BundleBody>(&b.body) {
            bundles.push(format_bundle(&body));
        }
    }
    Ok((grid, bundles))
}
