//! 电子监察, the monthly bulletin (一月一通报): for an organisation and everything below it, per
//! department the cases decided in the month, the on-time rate, working days used against
//! promised, the warnings raised on them and the violations recorded in the month, and per officer
//! the violations; downloadable as XLSX (with a bar chart) and as PDF (Chinese fonts, a bar chart
//! of on-time rates). The figures are `core::cases::supervision`'s.

use std::collections::{BTreeMap, HashMap};

use rust_xlsxwriter::{Chart, ChartType, Format, Workbook};
use serde::Serialize;
use yiwang_core::access::{self, Actor, Permission, Scope};
use yiwang_core::cases::WarningLevel;
use yiwang_core::cases::notice::Violation;
use yiwang_core::cases::supervision::{
    DecidedCase, DepartmentFigures, month_span, rate, summarize,
};
use yiwang_core::time::from_micros;
use yiwang_store::Organisation;
use yiwang_store::prelude::*;

use super::{clock_of, organisation};
use crate::{App, AppError, AppResult, now_micros};

/// One department's line of the bulletin.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DepartmentLine {
    pub org_id: String,
    pub name: String,
    #[schema(value_type = Object)]
    pub figures: DepartmentFigures,
}

/// One officer's violations in the month.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OfficerLine {
    pub officer_id: String,
    pub name: String,
    pub department: String,
    /// Count per violation label (Chinese).
    pub violations: BTreeMap<String, u32>,
    pub total: u32,
}

/// 一月一通报: the supervision bulletin of an organisation (and below) for one month.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Bulletin {
    /// `YYYY-MM`, Beijing time.
    pub month: String,
    pub org_id: String,
    pub org_name: String,
    pub generated_at: i64,
    /// Departments by on-time rate, lowest first (who needs attention), then by name.
    pub departments: Vec<DepartmentLine>,
    #[schema(value_type = Object)]
    pub total: DepartmentFigures,
    pub officers: Vec<OfficerLine>,
}

/// The bulletin of `org_id` for `month` (`YYYY-MM`), for supervisors, department heads and
/// centre managers of that organisation or above.
pub async fn bulletin(app: &App, actor: &Actor, org_id: &str, month: &str) -> AppResult<Bulletin> {
    let (start, end) = month_span(month)?;
    let mut tx = app.store.read().await?;
    let scope = organisation(&mut *tx, org_id).await?;
    access::authorize(actor, Permission::ViewSupervision, Scope::Org(&scope.path))?;
    let (from, to) = (start.timestamp_micros(), end.timestamp_micros());
    let cal = app.calendar();
    let mut orgs: HashMap<String, Option<Organisation>> = HashMap::new();
    let violations = tx.list_case_violations_between(from, to).await?;
    let mut in_scope_violations = Vec::new();
    for v in violations {
        if within(&mut *tx, &mut orgs, &scope, &v.org_id).await? {
            in_scope_violations.push(v);
        }
    }
    let mut decided = Vec::new();
    for row in tx.list_cases_decided_between(from, to).await? {
        let (Some(clock), Some(at)) = (clock_of(&row)?, row.decided_at) else {
            // Decided without a clock: not accepted, nothing to time.
            continue;
        };
        if !within(&mut *tx, &mut orgs, &scope, &row.org_id).await? {
            continue;
        }
        let warning = WarningLevel::parse(&row.warning_level).unwrap_or(WarningLevel::Normal);
        decided.push(DecidedCase::from_clock(
            &cal.calendar,
            &row.org_id,
            &clock,
            from_micros(at),
            warning,
            vec![],
        ));
    }
    let mut figures = summarize(&decided);
    // Violations are those recorded in the month, whichever month their case is decided in.
    for v in &in_scope_violations {
        let label = Violation::parse(&v.violation)
            .map(|x| x.label_zh().to_string())
            .unwrap_or_else(|| v.violation.clone());
        *figures
            .entry(v.org_id.clone())
            .or_default()
            .violations
            .entry(label)
            .or_default() += 1;
    }
    let mut departments = Vec::new();
    let mut total = DepartmentFigures::default();
    for (org_id, f) in figures {
        total.decided += f.decided;
        total.on_time += f.on_time;
        total.days_used += f.days_used;
        total.days_promised += f.days_promised;
        total.yellow += f.yellow;
        total.red += f.red;
        for (k, n) in &f.violations {
            *total.violations.entry(k.clone()).or_default() += n;
        }
        let name = org_name(&mut *tx, &mut orgs, &org_id).await?;
        departments.push(DepartmentLine {
            org_id,
            name,
            figures: DepartmentFigures {
                on_time_rate: rate(f.on_time, f.decided),
                ..f
            },
        });
    }
    total.on_time_rate = rate(total.on_time, total.decided);
    departments.sort_by(|a, b| {
        a.figures
            .on_time_rate
            .cmp(&b.figures.on_time_rate)
            .then_with(|| a.name.cmp(&b.name))
    });
    let mut officers: BTreeMap<String, OfficerLine> = BTreeMap::new();
    for v in &in_scope_violations {
        let Some(officer) = &v.officer_id else {
            continue;
        };
        if !officers.contains_key(officer) {
            let name = tx
                .get_user(officer)
                .await?
                .map(|u| u.display_name)
                .unwrap_or_else(|| officer.clone());
            let department = org_name(&mut *tx, &mut orgs, &v.org_id).await?;
            officers.insert(
                officer.clone(),
                OfficerLine {
                    officer_id: officer.clone(),
                    name,
                    department,
                    violations: BTreeMap::new(),
                    total: 0,
                },
            );
        }
        if let Some(line) = officers.get_mut(officer) {
            let label = Violation::parse(&v.violation)
                .map(|x| x.label_zh().to_string())
                .unwrap_or_else(|| v.violation.clone());
            *line.violations.entry(label).or_default() += 1;
            line.total += 1;
        }
    }
    let mut officers: Vec<OfficerLine> = officers.into_values().collect();
    officers.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.name.cmp(&b.name)));
    Ok(Bulletin {
        month: month.trim().to_string(),
        org_id: scope.id.clone(),
        org_name: scope.name.clone(),
        generated_at: now_micros(),
        departments,
        total,
        officers,
    })
}

/// Whether organisation `id` is `scope` or below it (organisations read once per bulletin).
async fn within(
    tx: &mut dyn ReadTx,
    orgs: &mut HashMap<String, Option<Organisation>>,
    scope: &Organisation,
    id: &str,
) -> AppResult<bool> {
    if !orgs.contains_key(id) {
        let o = tx.get_organisation(id).await?;
        orgs.insert(id.to_string(), o);
    }
    Ok(orgs
        .get(id)
        .and_then(|o| o.as_ref())
        .is_some_and(|o| o.path.starts_with(&scope.path)))
}

async fn org_name(
    tx: &mut dyn ReadTx,
    orgs: &mut HashMap<String, Option<Organisation>>,
    id: &str,
) -> AppResult<String> {
    if !orgs.contains_key(id) {
        let o = tx.get_organisation(id).await?;
        orgs.insert(id.to_string(), o);
    }
    Ok(orgs
        .get(id)
        .and_then(|o| o.as_ref())
        .map(|o| o.name.clone())
        .unwrap_or_else(|| id.to_string()))
}

fn violations_text(v: &BTreeMap<String, u32>) -> String {
    v.iter()
        .map(|(k, n)| format!("{k}{n}次"))
        .collect::<Vec<_>>()
        .join("；")
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> AppError {
    AppError::Internal(format!("bulletin spreadsheet: {e}"))
}

/// The bulletin as an XLSX workbook: the departments (with a bar chart of on-time rates) and the
/// officers.
pub fn bulletin_xlsx(b: &Bulletin) -> AppResult<Vec<u8>> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let pct = Format::new().set_num_format("0.00");
    let sheet = wb.add_worksheet();
    sheet.set_name("部门").map_err(xlsx_error)?;
    sheet
        .write_string_with_format(
            0,
            0,
            format!("{}　{} 电子监察通报", b.org_name, b.month),
            &bold,
        )
        .map_err(xlsx_error)?;
    let header = [
        "部门 Department",
        "办结件数 Decided",
        "按时办结 On time",
        "按时办结率(%) On-time rate",
        "实用工作日 Days used",
        "承诺工作日 Days promised",
        "黄牌预警 Yellow",
        "红牌超期 Red",
        "违规事件 Violations",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet
            .write_string_with_format(2, c as u16, *h, &bold)
            .map_err(xlsx_error)?;
    }
    let mut r = 3u32;
    let lines = b
        .departments
        .iter()
        .map(|d| (d.name.as_str(), &d.figures))
        .chain(std::iter::once(("合计 Total", &b.total)));
    for (name, f) in lines {
        sheet.write_string(r, 0, name).map_err(xlsx_error)?;
        sheet.write_number(r, 1, f.decided).map_err(xlsx_error)?;
        sheet.write_number(r, 2, f.on_time).map_err(xlsx_error)?;
        let rate: f64 = f.on_time_rate.to_string().parse().unwrap_or(0.0);
        sheet
            .write_number_with_format(r, 3, rate, &pct)
            .map_err(xlsx_error)?;
        sheet
            .write_number(r, 4, f.days_used as f64)
            .map_err(xlsx_error)?;
        sheet
            .write_number(r, 5, f.days_promised as f64)
            .map_err(xlsx_error)?;
        sheet.write_number(r, 6, f.yellow).map_err(xlsx_error)?;
        sheet.write_number(r, 7, f.red).map_err(xlsx_error)?;
        sheet
            .write_string(r, 8, violations_text(&f.violations))
            .map_err(xlsx_error)?;
        r += 1;
    }
    sheet.set_column_width(0, 28).map_err(xlsx_error)?;
    sheet.set_column_width(8, 30).map_err(xlsx_error)?;
    if !b.departments.is_empty() {
        let last = 3 + b.departments.len() as u32 - 1;
        let mut chart = Chart::new(ChartType::Bar);
        chart
            .add_series()
            .set_categories(("部门", 3, 0, last, 0))
            .set_values(("部门", 3, 3, last, 3))
            .set_name("按时办结率(%)");
        chart.title().set_name("各部门按时办结率");
        chart.x_axis().set_min(0.0).set_max(100.0);
        chart.legend().set_hidden();
        sheet.insert_chart(r + 1, 0, &chart).map_err(xlsx_error)?;
    }
    let people = wb.add_worksheet();
    people.set_name("人员").map_err(xlsx_error)?;
    for (c, h) in [
        "人员 Officer",
        "部门 Department",
        "违规次数 Violations",
        "明细 Detail",
    ]
    .iter()
    .enumerate()
    {
        people
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(xlsx_error)?;
    }
    for (i, o) in b.officers.iter().enumerate() {
        let r = i as u32 + 1;
        people.write_string(r, 0, &o.name).map_err(xlsx_error)?;
        people
            .write_string(r, 1, &o.department)
            .map_err(xlsx_error)?;
        people.write_number(r, 2, o.total).map_err(xlsx_error)?;
        people
            .write_string(r, 3, violations_text(&o.violations))
            .map_err(xlsx_error)?;
    }
    people.set_column_width(1, 28).map_err(xlsx_error)?;
    people.set_column_width(3, 30).map_err(xlsx_error)?;
    wb.save_to_buffer().map_err(xlsx_error)
}

/// The typst source of the PDF bulletin; the data arrive as JSON in `sys.inputs.data`.
const BULLETIN_TYP: &str = include_str!("bulletin.typ");

/// The bulletin as a PDF: a table per department, a bar chart of on-time rates, the officers.
pub fn bulletin_pdf(b: &Bulletin) -> AppResult<Vec<u8>> {
    let data = serde_json::json!({
        "title": format!("{}电子监察通报", b.org_name),
        "month": b.month,
        "generated": yiwang_core::time::display_local(b.generated_at),
        "departments": b.departments.iter().map(|d| line_json(&d.name, &d.figures)).collect::<Vec<_>>(),
        "total": line_json("合计", &b.total),
        "officers": b.officers.iter().map(|o| serde_json::json!({
            "name": o.name,
            "department": o.department,
            "total": o.total,
            "detail": violations_text(&o.violations),
        })).collect::<Vec<_>>(),
    });
    crate::pdf::render(BULLETIN_TYP, &data)
}

fn line_json(name: &str, f: &DepartmentFigures) -> serde_json::Value {
    serde_json::json!({
        "name": name,
        "decided": f.decided,
        "on_time": f.on_time,
        "rate": f.on_time_rate.to_string(),
        "days_used": f.days_used,
        "days_promised": f.days_promised,
        "yellow": f.yellow,
        "red": f.red,
        "violations": violations_text(&f.violations),
    })
}
