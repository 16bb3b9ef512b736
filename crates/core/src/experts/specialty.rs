//! 评标专家专业分类: the national specialty classification of evaluation experts
//! (《公共资源交易评标专家专业分类标准》, 发改法规〔2018〕316号), top three levels, as shipped in
//! `data/expert-specialties.csv` (`code,name,parent_code,level`).
//!
//! Codes are hierarchical by construction: a category letter (`A` 工程类, `B` 货物类, `C` 服务类),
//! then two digits per level (`A01`, `A0101`, and the level-4 `A010101` the file leaves out). The
//! parser checks that every row's `parent_code` and `level` agree with its code, so "is within" is
//! a prefix test on valid codes and a draw for a parent code may take experts of any descendant.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The classification shipped with the platform (a third-party transcription of the 2018 table;
/// see shared/data/README.md for its known gaps).
pub const SPECIALTIES_CSV: &str = include_str!("../../data/expert-specialties.csv");

const HEADER: &str = "code,name,parent_code,level";

/// Deepest level a code may have (the official table has four).
pub const MAX_LEVEL: u8 = 4;

/// 专业代码: `A`–`Z` followed by 0, 2, 4 or 6 digits (levels 1 to 4). Stored as given (uppercase).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SpecialtyCode(String);

impl SpecialtyCode {
    /// A structurally valid code, or `None`. Whether the code is in the classification is the
    /// [`SpecialtyTree`]'s business.
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        let valid = !b.is_empty()
            && b[0].is_ascii_uppercase()
            && (b.len() - 1).is_multiple_of(2)
            && b.len() <= 1 + 2 * (MAX_LEVEL as usize - 1)
            && b[1..].iter().all(u8::is_ascii_digit);
        valid.then(|| SpecialtyCode(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// 1 for a category (`A`), 2 for `A01`, 3 for `A0101`, 4 for `A010101`.
    pub fn level(&self) -> u8 {
        (1 + (self.0.len() - 1) / 2) as u8
    }

    /// The code one level up, or `None` for a category.
    pub fn parent(&self) -> Option<SpecialtyCode> {
        (self.0.len() > 1).then(|| SpecialtyCode(self.0[..self.0.len() - 2].to_string()))
    }

    /// True when `self` is `ancestor` or lies below it: a draw for `ancestor` may take an expert
    /// registered under `self`. Codes are hierarchical, so this is a prefix test.
    pub fn is_within(&self, ancestor: &SpecialtyCode) -> bool {
        self.0.starts_with(&ancestor.0)
    }
}

impl fmt::Display for SpecialtyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for SpecialtyCode {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        SpecialtyCode::parse(&value).ok_or_else(|| format!("invalid specialty code {value:?}"))
    }
}

impl From<SpecialtyCode> for String {
    fn from(value: SpecialtyCode) -> Self {
        value.0
    }
}

/// One entry of the classification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Specialty {
    pub code: SpecialtyCode,
    pub name: String,
}

/// Why a classification file was rejected. Lines are 1-based and count the header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecialtyError {
    #[error("line {line}: expected header \"{HEADER}\", found {found:?}")]
    Header { line: usize, found: String },
    #[error("line {line}: expected 4 comma-separated fields, found {found}")]
    FieldCount { line: usize, found: usize },
    #[error("line {line}: invalid specialty code {found:?}")]
    Code { line: usize, found: String },
    #[error("line {line}: the name is empty")]
    EmptyName { line: usize },
    #[error("line {line}: parent code {found:?} should be {expected:?}")]
    Parent {
        line: usize,
        found: String,
        expected: String,
    },
    #[error("line {line}: level {found:?} should be {expected}")]
    Level {
        line: usize,
        found: String,
        expected: u8,
    },
    #[error("line {line}: code {code} is already listed on line {first_line}")]
    Duplicate {
        line: usize,
        code: String,
        first_line: usize,
    },
    #[error("line {line}: parent {parent} of {code} is not listed")]
    MissingParent {
        line: usize,
        code: String,
        parent: String,
    },
}

impl SpecialtyError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            SpecialtyError::Header { .. } => "specialty.header",
            SpecialtyError::FieldCount { .. } => "specialty.field_count",
            SpecialtyError::Code { .. } => "specialty.code",
            SpecialtyError::EmptyName { .. } => "specialty.name",
            SpecialtyError::Parent { .. } => "specialty.parent",
            SpecialtyError::Level { .. } => "specialty.level",
            SpecialtyError::Duplicate { .. } => "specialty.duplicate",
            SpecialtyError::MissingParent { .. } => "specialty.missing_parent",
        }
    }

    pub fn line(&self) -> usize {
        match self {
            SpecialtyError::Header { line, .. }
            | SpecialtyError::FieldCount { line, .. }
            | SpecialtyError::Code { line, .. }
            | SpecialtyError::EmptyName { line }
            | SpecialtyError::Parent { line, .. }
            | SpecialtyError::Level { line, .. }
            | SpecialtyError::Duplicate { line, .. }
            | SpecialtyError::MissingParent { line, .. } => *line,
        }
    }

    pub fn message_zh(&self) -> String {
        match self {
            SpecialtyError::Header { line, found } => {
                format!("第{line}行：表头应为“{HEADER}”，实际为“{found}”。")
            }
            SpecialtyError::FieldCount { line, found } => {
                format!("第{line}行：应有4个以逗号分隔的字段，实际为{found}个。")
            }
            SpecialtyError::Code { line, found } => format!("第{line}行：专业代码“{found}”无效。"),
            SpecialtyError::EmptyName { line } => format!("第{line}行：专业名称不能为空。"),
            SpecialtyError::Parent {
                line,
                found,
                expected,
            } => format!("第{line}行：上级代码“{found}”应为“{expected}”。"),
            SpecialtyError::Level {
                line,
                found,
                expected,
            } => format!("第{line}行：层级“{found}”应为{expected}。"),
            SpecialtyError::Duplicate {
                line,
                code,
                first_line,
            } => format!("第{line}行：专业代码{code}与第{first_line}行重复。"),
            SpecialtyError::MissingParent { line, code, parent } => {
                format!("第{line}行：{code}的上级专业{parent}未列出。")
            }
        }
    }

    pub fn message_en(&self) -> String {
        let mut s = self.to_string();
        if let Some(first) = s.get(..1) {
            let upper = first.to_uppercase();
            s.replace_range(..1, &upper);
        }
        s.push('.');
        s
    }
}

impl From<SpecialtyError> for crate::Problem {
    fn from(e: SpecialtyError) -> Self {
        crate::Problem::invalid(e.code(), e.message_zh(), e.message_en())
            .with_details(serde_json::json!({ "line": e.line() }))
    }
}

/// The classification as a tree, keyed by code (sorted, so a node's descendants are contiguous).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpecialtyTree {
    by_code: BTreeMap<SpecialtyCode, String>,
}

impl SpecialtyTree {
    /// Parses the classification strictly: the exact header, four fields, valid codes, a
    /// non-empty name, `parent_code` and `level` agreeing with the code, no duplicates, and every
    /// parent listed (anywhere in the file). A BOM, CRLF endings and blank lines are tolerated.
    /// Names may not contain commas (the official names use 、).
    pub fn parse_csv(text: &str) -> Result<Self, SpecialtyError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text.split('\n').enumerate().map(|(i, l)| (i + 1, l.trim()));
        match lines.by_ref().find(|(_, l)| !l.is_empty()) {
            Some((_, h)) if h == HEADER => {}
            Some((line, h)) => {
                return Err(SpecialtyError::Header {
                    line,
                    found: h.to_string(),
                });
            }
            None => {
                return Err(SpecialtyError::Header {
                    line: 1,
                    found: String::new(),
                });
            }
        }
        let mut first_line: BTreeMap<SpecialtyCode, usize> = BTreeMap::new();
        let mut by_code = BTreeMap::new();
        for (line, row) in lines {
            if row.is_empty() {
                continue;
            }
            let fields: Vec<&str> = row.split(',').map(str::trim).collect();
            let [code_s, name, parent_s, level_s] = fields[..] else {
                return Err(SpecialtyError::FieldCount {
                    line,
                    found: fields.len(),
                });
            };
            let code = SpecialtyCode::parse(code_s).ok_or_else(|| SpecialtyError::Code {
                line,
                found: code_s.to_string(),
            })?;
            if name.is_empty() {
                return Err(SpecialtyError::EmptyName { line });
            }
            let expected_parent = code.parent().map(String::from).unwrap_or_default();
            if parent_s != expected_parent {
                return Err(SpecialtyError::Parent {
                    line,
                    found: parent_s.to_string(),
                    expected: expected_parent,
                });
            }
            if level_s != code.level().to_string() {
                return Err(SpecialtyError::Level {
                    line,
                    found: level_s.to_string(),
                    expected: code.level(),
                });
            }
            if let Some(&first) = first_line.get(&code) {
                return Err(SpecialtyError::Duplicate {
                    line,
                    code: code.0,
                    first_line: first,
                });
            }
            first_line.insert(code.clone(), line);
            by_code.insert(code, name.to_string());
        }
        for (code, &line) in &first_line {
            if let Some(parent) = code.parent()
                && !by_code.contains_key(&parent)
            {
                return Err(SpecialtyError::MissingParent {
                    line,
                    code: code.0.clone(),
                    parent: parent.0,
                });
            }
        }
        Ok(SpecialtyTree { by_code })
    }

    /// The shipped classification.
    pub fn national() -> Self {
        Self::parse_csv(SPECIALTIES_CSV).expect("the shipped classification parses")
    }

    pub fn len(&self) -> usize {
        self.by_code.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }

    pub fn contains(&self, code: &SpecialtyCode) -> bool {
        self.by_code.contains_key(code)
    }

    pub fn name(&self, code: &SpecialtyCode) -> Option<&str> {
        self.by_code.get(code).map(String::as_str)
    }

    /// Every listed code strictly below `code`, in code order.
    pub fn descendants(&self, code: &SpecialtyCode) -> Vec<Specialty> {
        self.by_code
            .range(code.clone()..)
            .skip_while(|(c, _)| *c == code)
            .take_while(|(c, _)| c.is_within(code))
            .map(|(c, n)| Specialty {
                code: c.clone(),
                name: n.clone(),
            })
            .collect()
    }

    /// The listed codes one level below `code`.
    pub fn children(&self, code: &SpecialtyCode) -> Vec<Specialty> {
        let mut out = self.descendants(code);
        out.retain(|s| s.code.level() == code.level() + 1);
        out
    }

    /// Every entry, in code order.
    pub fn iter(&self) -> impl Iterator<Item = Specialty> + '_ {
        self.by_code.iter().map(|(c, n)| Specialty {
            code: c.clone(),
            name: n.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> SpecialtyCode {
        SpecialtyCode::parse(s).unwrap()
    }

    #[test]
    fn the_shipped_classification_has_347_entries() {
        let t = SpecialtyTree::national();
        assert_eq!(t.len(), 347);
        assert_eq!(t.iter().filter(|s| s.code.level() == 1).count(), 3);
        assert_eq!(t.iter().filter(|s| s.code.level() == 2).count(), 31);
        assert_eq!(t.name(&code("A01")), Some("规划"));
        assert_eq!(t.name(&code("A0101")), Some("国民经济和社会发展规划"));
    }

    #[test]
    fn codes_are_hierarchical() {
        assert!(code("A0101").is_within(&code("A01")));
        assert!(code("A0101").is_within(&code("A")));
        assert!(code("A0101").is_within(&code("A0101")));
        assert!(!code("A0101").is_within(&code("A02")));
        assert!(!code("A01").is_within(&code("A0101")));
        assert!(!code("B0101").is_within(&code("A")));
        assert_eq!(code("A0101").parent(), Some(code("A01")));
        assert_eq!(code("A").parent(), None);
        assert_eq!(code("A010101").level(), 4);
        for bad in ["", "a01", "A1", "A0", "A01x", "AA01", "A01010101", "1A"] {
            assert!(SpecialtyCode::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn descendants_and_children() {
        let t = SpecialtyTree::national();
        let d = t.descendants(&code("A01"));
        let codes: Vec<&str> = d.iter().map(|s| s.code.as_str()).collect();
        assert_eq!(codes, ["A0101", "A0102", "A0103", "A0104", "A0105"]);
        let under_a = t.descendants(&code("A"));
        assert!(under_a.iter().all(|s| s.code.as_str().starts_with('A')));
        assert!(under_a.iter().any(|s| s.code.as_str() == "A0101"));
        assert!(t.children(&code("A")).iter().all(|s| s.code.level() == 2));
        assert!(t.descendants(&code("A0101")).is_empty());
        // Every descendant is within, and every listed code within is a descendant.
        let all: Vec<Specialty> = t.iter().collect();
        for s in &all {
            let n = all
                .iter()
                .filter(|o| o.code != s.code && o.code.is_within(&s.code))
                .count();
            assert_eq!(t.descendants(&s.code).len(), n, "{}", s.code);
        }
    }

    fn err(text: &str) -> SpecialtyError {
        SpecialtyTree::parse_csv(text).unwrap_err()
    }

    #[test]
    fn strict_parse_names_the_line() {
        let h = "code,name,parent_code,level\n";
        assert_eq!(err("code,name\n").code(), "specialty.header");
        assert_eq!(err(&format!("{h}A,工程类,,1\nA01,规划,A\n")).line(), 3);
        assert_eq!(
            err(&format!("{h}A,工程类,,1,x\n")).code(),
            "specialty.field_count"
        );
        assert_eq!(err(&format!("{h}A1,x,,1\n")).code(), "specialty.code");
        assert_eq!(err(&format!("{h}A,,,1\n")).code(), "specialty.name");
        let e = err(&format!("{h}A,工程类,,1\nB,货物类,,1\nA01,规划,B,2\n"));
        assert_eq!((e.code(), e.line()), ("specialty.parent", 4));
        assert_eq!(err(&format!("{h}A,工程类,,2\n")).code(), "specialty.level");
        let e = err(&format!("{h}A,工程类,,1\n\nA,工程,,1\n"));
        assert_eq!((e.code(), e.line()), ("specialty.duplicate", 4));
        let e = err(&format!("{h}A,工程类,,1\nA0101,x,A01,3\n"));
        assert_eq!((e.code(), e.line()), ("specialty.missing_parent", 3));
        assert!(e.message_zh().contains("第3行"));
        assert!(e.message_en().starts_with("Line 3"));
    }

    #[test]
    fn bom_crlf_and_parent_after_child_are_accepted() {
        let t = SpecialtyTree::parse_csv(
            "\u{feff}code,name,parent_code,level\r\nA01,规划,A,2\r\nA,工程类,,1\r\n",
        )
        .unwrap();
        assert_eq!(t.len(), 2);
    }
}
