//! The import/export table layout of the catalogue (docs/catalog-csv.md): a header row of column
//! keys, then one row per item. Pure: callers turn CSV or XLSX files into a grid of strings and
//! back; this module parses every row, reports every bad row with its line, and formats items.

use rust_decimal::Decimal;
use serde::Serialize;

use super::bundle::{BundleBody, check_bundle};
use super::item::*;

/// The columns, in export order.
pub const COLUMNS: &[&str] = &[
    "code",
    "name",
    "aliases",
    "item_type",
    "department",
    "level",
    "legal_basis",
    "legal_limit_days",
    "promised_limit_days",
    "special_procedures",
    "materials",
    "fees",
    "online",
    "fully_online",
    "at_most_once",
    "handling_kind",
    "tongban",
    "steps",
    "result_type",
    "result_name",
    "delivery_modes",
    "conditions",
    "description",
    "consult_phone",
    "complaint_phone",
    "form_fields",
    "status",
];

const REQUIRED: &[&str] = &[
    "code",
    "name",
    "item_type",
    "department",
    "level",
    "legal_basis",
    "legal_limit_days",
    "promised_limit_days",
    "online",
    "fully_online",
    "at_most_once",
    "handling_kind",
    "steps",
    "result_type",
    "result_name",
    "delivery_modes",
    "conditions",
    "consult_phone",
    "complaint_phone",
];

pub const BUNDLE_COLUMNS: &[&str] = &[
    "code",
    "name",
    "aliases",
    "description",
    "items",
    "promised_limit_days",
];

/// One bad cell or row: the line (header = 1), the column, why.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct RowError {
    pub line: usize,
    pub column: Option<String>,
    pub code: String,
    pub message: String,
    pub message_en: String,
}

/// A parsed item row.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemRow {
    pub line: usize,
    /// Full name of the implementing department.
    pub department: String,
    pub publish: bool,
    pub body: ItemBody,
}

/// A parsed bundle row.
#[derive(Debug, Clone, PartialEq)]
pub struct BundleRow {
    pub line: usize,
    pub body: BundleBody,
}

struct Row<'a> {
    line: usize,
    cells: &'a [String],
    index: &'a [(String, usize)],
    errors: Vec<RowError>,
}

impl Row<'_> {
    fn get(&self, key: &str) -> &str {
        self.index
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, i)| self.cells.get(*i))
            .map(|s| s.trim())
            .unwrap_or("")
    }

    fn err(&mut self, column: &str, zh: String, en: String) {
        self.errors.push(RowError {
            line: self.line,
            column: Some(column.into()),
            code: "import.cell".into(),
            message: format!("第{}行“{}”列:{}", self.line, column, zh),
            message_en: format!("line {}, column {}: {}", self.line, column, en),
        });
    }

    fn list(&self, key: &str) -> Vec<String> {
        self.get(key)
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    }

    /// `a|b|c;d|e|f` with exactly `n` parts each.
    fn records(&mut self, key: &str, n: usize) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        for rec in self.list(key) {
            let parts: Vec<String> = rec.split('|').map(|p| p.trim().to_string()).collect();
            if parts.len() != n {
                self.err(
                    key,
                    format!("“{rec}”应有{n}个以“|”分隔的部分"),
                    format!("\"{rec}\" needs {n} parts separated by '|'"),
                );
            } else {
                out.push(parts);
            }
        }
        out
    }

    fn days(&mut self, key: &str) -> u32 {
        match self.get(key).parse::<u32>() {
            Ok(n) => n,
            Err(_) => {
                let v = self.get(key).to_string();
                self.err(
                    key,
                    format!("“{v}”不是非负整数"),
                    format!("\"{v}\" is not a whole number"),
                );
                0
            }
        }
    }

    fn yes_no(&mut self, key: &str) -> bool {
        match self.get(key) {
            "是" | "Y" | "y" | "true" | "1" => true,
            "否" | "N" | "n" | "false" | "0" => false,
            v => {
                let v = v.to_string();
                self.err(
                    key,
                    format!("“{v}”应为“是”或“否”"),
                    format!("\"{v}\" must be 是 or 否"),
                );
                false
            }
        }
    }

    fn label<T: Copy>(
        &mut self,
        key: &str,
        value: &str,
        parse: fn(&str) -> Option<T>,
        fallback: T,
    ) -> T {
        match parse(value) {
            Some(t) => t,
            None => {
                self.err(
                    key,
                    format!("“{value}”不是允许的取值"),
                    format!("\"{value}\" is not an allowed value"),
                );
                fallback
            }
        }
    }
}

/// Map header cells to column keys; report unknown, duplicate and missing columns.
fn header_index(
    header: &[String],
    allowed: &[&str],
    required: &[&str],
) -> Result<Vec<(String, usize)>, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut index: Vec<(String, usize)> = Vec::new();
    for (i, h) in header.iter().enumerate() {
        let key = h.trim().trim_start_matches('\u{feff}').to_string();
        if key.is_empty() {
            continue;
        }
        if !allowed.contains(&key.as_str()) {
            errors.push(header_error(
                format!("未知的列“{key}”"),
                format!("unknown column \"{key}\""),
            ));
        } else if index.iter().any(|(k, _)| *k == key) {
            errors.push(header_error(
                format!("列“{key}”重复"),
                format!("column \"{key}\" appears twice"),
            ));
        } else {
            index.push((key, i));
        }
    }
    for r in required {
        if !index.iter().any(|(k, _)| k == r) {
            errors.push(header_error(
                format!("缺少必需的列“{r}”"),
                format!("required column \"{r}\" is missing"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(index)
    } else {
        Err(errors)
    }
}

fn header_error(zh: String, en: String) -> RowError {
    RowError {
        line: 1,
        column: None,
        code: "import.header".into(),
        message: format!("第1行(表头):{zh}"),
        message_en: format!("line 1 (header): {en}"),
    }
}

fn is_blank(cells: &[String]) -> bool {
    cells.iter().all(|c| c.trim().is_empty())
}

/// Parse every item row; all rows or the list of every error.
pub fn parse_items(grid: &[Vec<String>]) -> Result<Vec<ItemRow>, Vec<RowError>> {
    let (rows, errors) = parse_items_all(grid);
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// Parse every row, returning the rows that could be read (even with rule errors) beside every
/// error, so that callers can add their own checks (e.g. departments) to one complete report.
pub fn parse_items_all(grid: &[Vec<String>]) -> (Vec<ItemRow>, Vec<RowError>) {
    let Some((header, rows)) = grid.split_first() else {
        return (
            Vec::new(),
            vec![header_error("文件为空".into(), "the file is empty".into())],
        );
    };
    let index = match header_index(header, COLUMNS, REQUIRED) {
        Ok(i) => i,
        Err(e) => return (Vec::new(), e),
    };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut codes = std::collections::HashMap::new();
    for (i, cells) in rows.iter().enumerate() {
        let line = i + 2;
        if is_blank(cells) {
            continue;
        }
        let mut row = Row {
            line,
            cells,
            index: &index,
            errors: Vec::new(),
        };
        let item = parse_item(&mut row);
        errors.append(&mut row.errors);
        if let Some(item) = item {
            let key = (item.department.clone(), item.body.code.clone());
            if let Some(first) = codes.insert(key, line) {
                errors.push(RowError {
                    line,
                    column: Some("code".into()),
                    code: "import.duplicate_row".into(),
                    message: format!(
                        "第{line}行:同一部门的事项编码{}与第{first}行重复",
                        item.body.code
                    ),
                    message_en: format!(
                        "line {line}: item code {} of the same department repeats line {first}",
                        item.body.code
                    ),
                });
            }
            out.push(item);
        }
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(header_error(
            "没有数据行".into(),
            "there are no data rows".into(),
        ));
    }
    (out, errors)
}

fn parse_item(row: &mut Row<'_>) -> Option<ItemRow> {
    let code_text = row.get("code").to_string();
    let code = match ItemCode::parse(&code_text) {
        Ok(c) => Some(c),
        Err(p) => {
            row.err("code", p.message, p.message_en);
            None
        }
    };
    let item_type_text = row.get("item_type").to_string();
    let item_type = row.label(
        "item_type",
        &item_type_text,
        ItemType::from_label,
        ItemType::OtherPower,
    );
    let level_text = row.get("level").to_string();
    let level = row.label("level", &level_text, Level::from_label, Level::City);
    let legal_basis = row
        .records("legal_basis", 2)
        .into_iter()
        .map(|p| Basis {
            title: p[0].clone(),
            article: p[1].clone(),
        })
        .collect();
    let legal_limit_days = row.days("legal_limit_days");
    let promised_limit_days = row.days("promised_limit_days");
    let mut special_procedures = Vec::new();
    for p in row.records("special_procedures", 2) {
        match p[1].parse::<u32>() {
            Ok(d) => special_procedures.push(SpecialProcedure {
                name: p[0].clone(),
                limit_days: d,
            }),
            Err(_) => row.err(
                "special_procedures",
                format!("时限“{}”不是整数", p[1]),
                format!("limit \"{}\" is not a number", p[1]),
            ),
        }
    }
    let mut materials = Vec::new();
    for p in row.records("materials", 5) {
        let form = row.label(
            "materials",
            &p[1],
            MaterialForm::from_label,
            MaterialForm::Original,
        );
        let count = p[2].parse::<u32>().unwrap_or_else(|_| {
            row.err(
                "materials",
                format!("份数“{}”不是整数", p[2]),
                format!("count \"{}\" is not a number", p[2]),
            );
            1
        });
        let required = match p[3].as_str() {
            "必要" => true,
            "非必要" => false,
            v => {
                row.err(
                    "materials",
                    format!("必要性“{v}”应为“必要”或“非必要”"),
                    format!("\"{v}\" must be 必要 or 非必要"),
                );
                true
            }
        };
        let verified_online = match p[4].as_str() {
            "是" => true,
            "否" => false,
            v => {
                row.err(
                    "materials",
                    format!("免提交“{v}”应为“是”或“否”"),
                    format!("\"{v}\" must be 是 or 否"),
                );
                false
            }
        };
        materials.push(Material {
            name: p[0].clone(),
            form,
            count,
            required,
            verified_online,
            blank_form: None,
            sample: None,
        });
    }
    let mut fees = Vec::new();
    for p in row.records("fees", 3) {
        match p[1].parse::<Decimal>() {
            Ok(amount) => fees.push(Fee {
                name: p[0].clone(),
                amount,
                basis: p[2].clone(),
            }),
            Err(_) => row.err(
                "fees",
                format!("金额“{}”不是数字", p[1]),
                format!("amount \"{}\" is not a number", p[1]),
            ),
        }
    }
    let online = row.yes_no("online");
    let fully_online = row.yes_no("fully_online");
    let at_most_once = row.yes_no("at_most_once");
    let hk = row.get("handling_kind").to_string();
    let handling_kind = row.label(
        "handling_kind",
        &hk,
        HandlingKind::from_label,
        HandlingKind::Promised,
    );
    let mut tongban = Vec::new();
    for p in row.records("tongban", 2) {
        let scope = row.label(
            "tongban",
            &p[0],
            TongBanScope::from_label,
            TongBanScope::City,
        );
        let mode = row.label(
            "tongban",
            &p[1],
            TongBanMode::from_label,
            TongBanMode::FullyOnline,
        );
        tongban.push(TongBan { scope, mode });
    }
    let mut steps = Vec::new();
    for p in row.records("steps", 3) {
        let limit_days = p[2].parse::<u32>().unwrap_or_else(|_| {
            row.err(
                "steps",
                format!("时限“{}”不是整数", p[2]),
                format!("limit \"{}\" is not a number", p[2]),
            );
            0
        });
        steps.push(Step {
            name: p[0].clone(),
            role: p[1].clone(),
            limit_days,
        });
    }
    let rt = row.get("result_type").to_string();
    let result_type = row.label(
        "result_type",
        &rt,
        ResultType::from_label,
        ResultType::Other,
    );
    let mut delivery_modes = Vec::new();
    for d in row.list("delivery_modes") {
        delivery_modes.push(row.label(
            "delivery_modes",
            &d,
            DeliveryMode::from_label,
            DeliveryMode::Window,
        ));
    }
    let mut form_fields = Vec::new();
    for p in row.records("form_fields", 4) {
        form_fields.push(FormField {
            key: p[0].clone(),
            label: p[1].clone(),
            kind: p[2].clone(),
            required: p[3] == "是",
        });
    }
    let publish = match row.get("status") {
        "" | "draft" => false,
        "published" => true,
        v => {
            let v = v.to_string();
            row.err(
                "status",
                format!("“{v}”应为 draft 或 published"),
                format!("\"{v}\" must be draft or published"),
            );
            false
        }
    };
    let department = row.get("department").to_string();
    if department.is_empty() {
        row.err(
            "department",
            "实施部门不能为空".into(),
            "the department is required".into(),
        );
    }
    let code = code?;
    let body = ItemBody {
        code,
        name: row.get("name").to_string(),
        aliases: row.list("aliases"),
        item_type,
        level,
        legal_basis,
        legal_limit_days,
        promised_limit_days,
        special_procedures,
        materials,
        fees,
        online,
        fully_online,
        at_most_once,
        handling_kind,
        tongban,
        steps,
        result_type,
        result_name: row.get("result_name").to_string(),
        delivery_modes,
        conditions: row.get("conditions").to_string(),
        description: row.get("description").to_string(),
        consult_phone: row.get("consult_phone").to_string(),
        complaint_phone: row.get("complaint_phone").to_string(),
        form_fields,
    };
    for e in body.check() {
        row.err(&e.field, e.message, e.message_en);
    }
    Some(ItemRow {
        line: row.line,
        department,
        publish,
        body,
    })
}

fn yn(b: bool) -> String {
    if b { "是" } else { "否" }.to_string()
}

/// One export row (in `COLUMNS` order).
pub fn format_item(body: &ItemBody, department: &str, published: bool) -> Vec<String> {
    let join = |v: Vec<String>| v.join(";");
    vec![
        body.code.to_string(),
        body.name.clone(),
        join(body.aliases.clone()),
        body.item_type.label_zh().into(),
        department.into(),
        body.level.label_zh().into(),
        join(
            body.legal_basis
                .iter()
                .map(|b| format!("{}|{}", b.title, b.article))
                .collect(),
        ),
        body.legal_limit_days.to_string(),
        body.promised_limit_days.to_string(),
        join(
            body.special_procedures
                .iter()
                .map(|p| format!("{}|{}", p.name, p.limit_days))
                .collect(),
        ),
        join(
            body.materials
                .iter()
                .map(|m| {
                    format!(
                        "{}|{}|{}|{}|{}",
                        m.name,
                        m.form.label_zh(),
                        m.count,
                        if m.required { "必要" } else { "非必要" },
                        if m.verified_online { "是" } else { "否" }
                    )
                })
                .collect(),
        ),
        join(
            body.fees
                .iter()
                .map(|f| format!("{}|{}|{}", f.name, f.amount, f.basis))
                .collect(),
        ),
        yn(body.online),
        yn(body.fully_online),
        yn(body.at_most_once),
        body.handling_kind.label_zh().into(),
        join(
            body.tongban
                .iter()
                .map(|t| format!("{}|{}", t.scope.label_zh(), t.mode.label_zh()))
                .collect(),
        ),
        join(
            body.steps
                .iter()
                .map(|s| format!("{}|{}|{}", s.name, s.role, s.limit_days))
                .collect(),
        ),
        body.result_type.label_zh().into(),
        body.result_name.clone(),
        join(
            body.delivery_modes
                .iter()
                .map(|d| d.label_zh().to_string())
                .collect(),
        ),
        body.conditions.clone(),
        body.description.clone(),
        body.consult_phone.clone(),
        body.complaint_phone.clone(),
        join(
            body.form_fields
                .iter()
                .map(|f| {
                    format!(
                        "{}|{}|{}|{}",
                        f.key,
                        f.label,
                        f.kind,
                        if f.required { "是" } else { "否" }
                    )
                })
                .collect(),
        ),
        if published { "published" } else { "draft" }.into(),
    ]
}

/// Parse the bundle table.
pub fn parse_bundles(grid: &[Vec<String>]) -> Result<Vec<BundleRow>, Vec<RowError>> {
    let Some((header, rows)) = grid.split_first() else {
        return Err(vec![header_error(
            "文件为空".into(),
            "the file is empty".into(),
        )]);
    };
    let index = header_index(
        header,
        BUNDLE_COLUMNS,
        &["code", "name", "items", "promised_limit_days"],
    )?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, cells) in rows.iter().enumerate() {
        let line = i + 2;
        if is_blank(cells) {
            continue;
        }
        let mut row = Row {
            line,
            cells,
            index: &index,
            errors: Vec::new(),
        };
        let promised_limit_days = row.days("promised_limit_days");
        let body = BundleBody {
            code: row.get("code").to_string(),
            name: row.get("name").to_string(),
            aliases: row.list("aliases"),
            description: row.get("description").to_string(),
            item_codes: row.list("items"),
            promised_limit_days,
        };
        for e in check_bundle(&body) {
            row.err(&e.field, e.message, e.message_en);
        }
        errors.append(&mut row.errors);
        out.push(BundleRow { line, body });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

pub fn format_bundle(b: &BundleBody) -> Vec<String> {
    vec![
        b.code.clone(),
        b.name.clone(),
        b.aliases.join(";"),
        b.description.clone(),
        b.item_codes.join(";"),
        b.promised_limit_days.to_string(),
    ]
}

/// Read CSV bytes (UTF-8, BOM accepted) into a grid.
pub fn csv_to_grid(bytes: &[u8]) -> Result<Vec<Vec<String>>, RowError> {
    let bytes = bytes.strip_prefix(&[0xef, 0xbb, 0xbf]).unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut grid = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let rec = rec.map_err(|e| RowError {
            line: e.position().map(|p| p.line() as usize).unwrap_or(i + 1),
            column: None,
            code: "import.csv".into(),
            message: format!(
                "第{}行:CSV格式错误或不是UTF-8编码",
                e.position().map(|p| p.line() as usize).unwrap_or(i + 1)
            ),
            message_en: format!("not valid UTF-8 CSV: {e}"),
        })?;
        grid.push(rec.iter().map(String::from).collect());
    }
    Ok(grid)
}

/// Write a grid as CSV (UTF-8 with a BOM so that spreadsheet programs read Chinese correctly).
pub fn grid_to_csv(grid: &[Vec<String>]) -> Vec<u8> {
    let mut out = vec![0xef, 0xbb, 0xbf];
    {
        let mut w = csv::WriterBuilder::new().from_writer(&mut out);
        for row in grid {
            let _ = w.write_record(row);
        }
        let _ = w.flush();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid_of(body: &ItemBody) -> Vec<Vec<String>> {
        vec![
            COLUMNS.iter().map(|c| c.to_string()).collect(),
            format_item(body, "宿迁市市场监督管理局", true),
        ]
    }

    #[test]
    fn an_item_survives_export_and_import() {
        let body = crate::catalog::item::tests::sample();
        let grid = grid_of(&body);
        let csv = grid_to_csv(&grid);
        let back = csv_to_grid(&csv).unwrap();
        let rows = parse_items(&back).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].body, body);
        assert_eq!(rows[0].department, "宿迁市市场监督管理局");
        assert!(rows[0].publish);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let body = crate::catalog::item::tests::sample();
        let mut grid = grid_of(&body);
        let mut bad = grid[1].clone();
        bad[0] = "12345".into(); // bad code
        grid.push(bad);
        let mut bad2 = grid[1].clone();
        bad2[0] = "011000102000".into();
        bad2[8] = "99".into(); // promised > legal
        grid.push(bad2);
        let errs = parse_items(&grid).unwrap_err();
        assert!(
            errs.iter()
                .any(|e| e.line == 3 && e.column.as_deref() == Some("code")),
            "{errs:?}"
        );
        assert!(
            errs.iter()
                .any(|e| e.line == 4 && e.column.as_deref() == Some("promised_limit_days")),
            "{errs:?}"
        );
        assert!(errs.iter().all(|e| e.line != 2));
        assert!(errs[0].message.contains("第3行"));
    }

    #[test]
    fn header_problems_are_named() {
        let errs = parse_items(&[vec!["code".into(), "nonsense".into()]]).unwrap_err();
        assert!(errs.iter().any(|e| e.message_en.contains("nonsense")));
        assert!(
            errs.iter()
                .any(|e| e.message_en.contains("\"name\" is missing"))
        );
    }

    #[test]
    fn duplicate_codes_of_one_department_are_rejected() {
        let body = crate::catalog::item::tests::sample();
        let mut grid = grid_of(&body);
        grid.push(grid[1].clone());
        let errs = parse_items(&grid).unwrap_err();
        assert!(
            errs.iter()
                .any(|e| e.code == "import.duplicate_row" && e.line == 3)
        );
    }

    #[test]
    fn bundles_parse() {
        let grid = vec![
            BUNDLE_COLUMNS.iter().map(|c| c.to_string()).collect(),
            vec![
                "LE001".into(),
                "企业开办一件事".into(),
                "开公司;注册公司".into(),
                "".into(),
                "011000101000;012000101000".into(),
                "3".into(),
            ],
        ];
        let rows = parse_bundles(&grid).unwrap();
        assert_eq!(rows[0].body.item_codes.len(), 2);
        assert_eq!(format_bundle(&rows[0].body)[4], "011000101000;012000101000");
    }

    #[test]
    fn non_utf8_csv_is_an_error_not_a_panic() {
        assert!(csv_to_grid(&[0xff, 0xfe, b'a', b',', 0xc3]).is_err());
    }
}
