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
use yiwang_store::{Organisation, Store, Tx};

use super::bundles::save_bundle_in;
use super::files::{generate_form, insert_file};
use super::items::{change_status_in, insert_new_item, parse_body, save_in};
use crate::{Acting, App, AppError, AppResult};

pub type Grid = Vec<Vec<String>>;

/// The file formats of the layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// The file name of an export in this format.
    pub fn export_filename(self) -> &'static str {
        match self {
            Format::Csv => "catalog.csv",
            Format::Xlsx => "catalog.xlsx",
        }
    }

    /// By file name, or by content (XLSX files are ZIP archives).
    pub fn detect(filename: &str, bytes: &[u8]) -> Format {
        if filename.to_lowercase().ends_with(".xlsx") || bytes.starts_with(b"PK\x03\x04") {
            Format::Xlsx
        } else {
            Format::Csv
        }
    }
}

fn rows_problem(errors: Vec<RowError>) -> Problem {
    let n = errors.len();
    let first = errors
        .first()
        .map(|e| (e.message.clone(), e.message_en.clone()))
        .unwrap_or_default();
    Problem::invalid(
        "import.rows",
        format!("导入文件有{n}处错误,未导入任何数据。{}", first.0),
        format!(
            "The file has {n} error(s); nothing was imported. {}",
            first.1
        ),
    )
    .with_details(serde_json::json!({ "errors": errors }))
}

/// Read a file of the layout into grids: items, and bundles when the XLSX has a `bundles` sheet.
pub fn read_grid(format: Format, bytes: &[u8]) -> Result<(Grid, Option<Grid>), Problem> {
    match format {
        Format::Csv => table::csv_to_grid(bytes)
            .map(|g| (g, None))
            .map_err(|e| rows_problem(vec![e])),
        Format::Xlsx => read_xlsx(bytes),
    }
}

fn read_xlsx(bytes: &[u8]) -> Result<(Grid, Option<Grid>), Problem> {
    use calamine::{Data, Reader, Xlsx};
    let bad = |e: String| {
        Problem::invalid(
            "import.xlsx",
            "无法读取 XLSX 文件",
            format!("cannot read the XLSX file: {e}"),
        )
    };
    let mut wb: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes.to_vec())).map_err(|e| bad(e.to_string()))?;
    let names = wb.sheet_names().to_vec();
    let to_grid = |range: calamine::Range<Data>| -> Grid {
        range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::Empty => String::new(),
                        Data::String(s) => s.clone(),
                        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                            format!("{}", *f as i64)
                        }
                        Data::Float(f) => f.to_string(),
                        Data::Int(i) => i.to_string(),
                        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect()
    };
    let first = names
        .first()
        .ok_or_else(|| bad("no worksheet".into()))?
        .clone();
    let items = to_grid(wb.worksheet_range(&first).map_err(|e| bad(e.to_string()))?);
    let bundles = match names.iter().find(|n| n.as_str() == "bundles") {
        Some(n) => Some(to_grid(
            wb.worksheet_range(n).map_err(|e| bad(e.to_string()))?,
        )),
        None => None,
    };
    Ok((items, bundles))
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
}

/// Import items (and bundles). `actor` None is the platform itself (the CLI, the demo); an actor
/// must manage every department named in the file.
pub async fn import(
    app: &App,
    actor: Option<&Actor>,
    items: &Grid,
    bundles: Option<&Grid>,
    opts: ImportOptions<'_>,
) -> AppResult<ImportReport> {
    if let Some(a) = actor
        && access::grants_allowing(a, Permission::ManageCatalog)
            .next()
            .is_none()
    {
        return Err(Problem::forbidden().into());
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
    let mut tx = app.store.write().await?;
    let orgs = tx.list_organisations("").await?;
    let by_name: HashMap<&str, &Organisation> = orgs.iter().map(|o| (o.name.as_str(), o)).collect();
    // Check every row's department (existence and permission) before writing anything, and
    // report them together with the rows' own errors.
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
                    Some(by) => targets.push(((*org).clone(), by)),
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
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(rows_problem(errors).into());
    }
    let mut report = ImportReport {
        rows: rows.len(),
        ..Default::default()
    };
    for (i, (row, (org, by))) in rows.iter().zip(targets.iter()).enumerate() {
        let result = import_row(&mut tx, by, org, row, opts.generate_forms, &mut report).await;
        if let Err(AppError::Problem(p)) = result {
            // A rule that needs the database (e.g. a cancelled item) fails the whole import.
            return Err(
                rows_problem(vec![row_error(row.line, "code", p.message, p.message_en)]).into(),
            );
        }
        result?;
        if let Some(cb) = opts.progress {
            cb(i + 1, rows.len());
        }
    }
    if !bundle_rows.is_empty() {
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
        for b in &bundle_rows {
            let body: BundleBody = b.body.clone();
            if let Err(AppError::Problem(p)) =
                save_bundle_in(&mut tx, &by, &centre, body, true).await
            {
                return Err(rows_problem(vec![RowError {
                    line: b.line,
                    column: Some("items".into()),
                    code: p.code.clone(),
                    message: format!("一件事第{}行:{}", b.line, p.message),
                    message_en: format!("bundle line {}: {}", b.line, p.message_en),
                }])
                .into());
            }
            report.bundles += 1;
        }
    }
    tx.commit().await?;
    app.search_sync().await;
    Ok(report)
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
    tx: &mut Box<dyn Tx>,
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
                    insert_file(tx, by, &format!("{}.xlsx", m.name), blank)
                        .await?
                        .id,
                );
                m.sample = Some(
                    insert_file(tx, by, &format!("{}(示例).xlsx", m.name), sample)
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
    let grant = access::grants_allowing(actor, Permission::ManageCatalog)
        .next()
        .ok_or_else(Problem::forbidden)?;
    export(store, &grant.org_path, None).await
}

/// The catalogue as grids of the layout: the newest version of every item (with its status) and
/// every bundle, of organisations under `path_prefix` ("" for all).
pub async fn export(
    store: &Arc<dyn Store>,
    path_prefix: &str,
    progress: Option<&(dyn Fn(usize, usize) + Send + Sync)>,
) -> AppResult<(Grid, Grid)> {
    let mut tx = store.read().await?;
    let orgs: HashMap<String, Organisation> = tx
        .list_organisations("")
        .await?
        .into_iter()
        .map(|o| (o.id.clone(), o))
        .collect();
    let items = tx.list_items(path_prefix).await?;
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
            .is_some_and(|o| o.path.starts_with(path_prefix));
        if within && let Ok(body) = serde_json::from_str::<BundleBody>(&b.body) {
            bundles.push(format_bundle(&body));
        }
    }
    Ok((grid, bundles))
}
