//! A validator for OCDS 1.1.5 (the Open Contracting Data Standard): releases against the release
//! schema, release packages and record packages against theirs, written for the JSON Schema
//! (draft 4) keywords those schemas use, plus codelist membership read from the codelist CSVs. No
//! JSON Schema crate is in the workspace; this covers `$ref` (local, and the package schemas'
//! references to the release schema), `type`, `required`, `properties`, `items`, `enum`, `oneOf`,
//! `minItems`, `minLength`, `uniqueItems`, `format` (date-time, uri) and OCDS's `codelist`. It is
//! stricter than the schema in three ways: a property the schema does not declare is an error
//! (the schema would let it through), a deprecated property is an error, and open codelists are
//! checked as if closed (we only use standard codes).
//!
//! The schemas are the copies in `crates/core/data/ocds`. The pure release builder's own tests
//! (`crates/core/src/trading/ocds/tests.rs`) include this file, so there is one validator.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

pub const RELEASE_SCHEMA: &str = include_str!("../../core/data/ocds/release-schema.json");
pub const PACKAGE_SCHEMA: &str = include_str!("../../core/data/ocds/release-package-schema.json");
pub const RECORD_PACKAGE_SCHEMA: &str =
    include_str!("../../core/data/ocds/record-package-schema.json");
const RELEASE_SCHEMA_URL: &str =
    "https://standard.open-contracting.org/schema/1__1__5/release-schema.json";
const CODELISTS: &[(&str, &str)] = &[
    (
        "method.csv",
        include_str!("../../core/data/ocds/codelists/method.csv"),
    ),
    (
        "procurementCategory.csv",
        include_str!("../../core/data/ocds/codelists/procurementCategory.csv"),
    ),
    (
        "releaseTag.csv",
        include_str!("../../core/data/ocds/codelists/releaseTag.csv"),
    ),
    (
        "tenderStatus.csv",
        include_str!("../../core/data/ocds/codelists/tenderStatus.csv"),
    ),
    (
        "awardStatus.csv",
        include_str!("../../core/data/ocds/codelists/awardStatus.csv"),
    ),
    (
        "contractStatus.csv",
        include_str!("../../core/data/ocds/codelists/contractStatus.csv"),
    ),
    (
        "partyRole.csv",
        include_str!("../../core/data/ocds/codelists/partyRole.csv"),
    ),
    (
        "currency.csv",
        include_str!("../../core/data/ocds/codelists/currency.csv"),
    ),
    (
        "initiationType.csv",
        include_str!("../../core/data/ocds/codelists/initiationType.csv"),
    ),
    (
        "documentType.csv",
        include_str!("../../core/data/ocds/codelists/documentType.csv"),
    ),
    (
        "awardCriteria.csv",
        include_str!("../../core/data/ocds/codelists/awardCriteria.csv"),
    ),
    (
        "submissionMethod.csv",
        include_str!("../../core/data/ocds/codelists/submissionMethod.csv"),
    ),
];

fn codes(csv_text: &str) -> BTreeSet<String> {
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let col = r
        .headers()
        .expect("codelist header")
        .iter()
        .position(|h| h == "Code")
        .expect("a Code column");
    r.records()
        .map(|rec| rec.expect("codelist row")[col].to_string())
        .collect()
}

/// The three OCDS schemas and the codelists.
pub struct Validator {
    release: Value,
    package: Value,
    record_package: Value,
    codelists: BTreeMap<&'static str, BTreeSet<String>>,
}

impl Default for Validator {
    fn default() -> Self {
        Self::new()
    }
}

impl Validator {
    pub fn new() -> Self {
        Validator {
            release: serde_json::from_str(RELEASE_SCHEMA).expect("release schema"),
            package: serde_json::from_str(PACKAGE_SCHEMA).expect("package schema"),
            record_package: serde_json::from_str(RECORD_PACKAGE_SCHEMA)
                .expect("record package schema"),
            codelists: CODELISTS.iter().map(|(n, t)| (*n, codes(t))).collect(),
        }
    }

    /// The errors of a release (empty: valid).
    pub fn release(&self, inst: &Value) -> Vec<String> {
        let mut errs = Vec::new();
        self.validate(&self.release, &self.release, inst, "$", &mut errs);
        errs
    }

    /// The errors of a release package, its releases included.
    pub fn release_package(&self, inst: &Value) -> Vec<String> {
        let mut errs = Vec::new();
        self.validate(&self.package, &self.package, inst, "$", &mut errs);
        errs
    }

    /// The errors of a record package, its records' releases and compiled releases included.
    pub fn record_package(&self, inst: &Value) -> Vec<String> {
        let mut errs = Vec::new();
        self.validate(
            &self.record_package,
            &self.record_package,
            inst,
            "$",
            &mut errs,
        );
        errs
    }

    /// Whether `code` is in the codelist file `list` (e.g. `method.csv`).
    pub fn has_code(&self, list: &str, code: &str) -> bool {
        self.codelists.get(list).is_some_and(|c| c.contains(code))
    }

    /// Panics with every error and the document when `inst` is not a valid release.
    pub fn assert_release(&self, inst: &Value) {
        let errs = self.release(inst);
        assert!(errs.is_empty(), "{errs:#?}\n{inst:#}");
    }

    /// The schema a `$ref` names, and the document its own local references resolve in.
    fn resolve<'a>(&'a self, root: &'a Value, schema: &'a Value) -> (&'a Value, &'a Value) {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(RELEASE_SCHEMA_URL) => (&self.release, &self.release),
            Some(r) => {
                let name = r.strip_prefix("#/definitions/").expect("local $ref");
                (root, &root["definitions"][name])
            }
            None => (root, schema),
        }
    }
    fn type_ok(t: &str, v: &Value) -> bool {
        match t {
            "null" => v.is_null(),
            "string" => v.is_string(),
            "number" => v.is_number(),
            "integer" => v.is_i64() || v.is_u64(),
            "boolean" => v.is_boolean(),
            "array" => v.is_array(),
            "object" => v.is_object(),
            other => panic!("unknown type {other}"),
        }
    }

    fn codelist_check(&self, schema: &Value, v: &Value, path: &str, errs: &mut Vec<String>) {
        let Some(list) = schema.get("codelist").and_then(Value::as_str) else {
            return;
        };
        let Some(known) = self.codelists.get(list) else {
            errs.push(format!(
                "{path}: codelist {list} is not shipped with the tests"
            ));
            return;
        };
        let values: Vec<&Value> = match v {
            Value::Array(a) => a.iter().collect(),
            other => vec![other],
        };
        for x in values {
            if let Some(s) = x.as_str()
                && !known.contains(s)
            {
                errs.push(format!("{path}: {s:?} is not in codelist {list}"));
            }
        }
    }

    fn validate(
        &self,
        root: &Value,
        schema: &Value,
        inst: &Value,
        path: &str,
        errs: &mut Vec<String>,
    ) {
        let (root, schema) = self.resolve(root, schema);
        if let Some(Value::Array(choices)) = schema.get("oneOf") {
            let passing = choices
                .iter()
                .filter(|c| {
                    let mut e = Vec::new();
                    self.validate(root, c, inst, path, &mut e);
                    e.is_empty()
                })
                .count();
            if passing != 1 {
                errs.push(format!(
                    "{path}: {passing} of the oneOf choices match, not one"
                ));
            }
        }
        if schema.get("deprecated").is_some() {
            errs.push(format!("{path}: deprecated property used"));
        }
        match schema.get("type") {
            Some(Value::String(t)) if !Self::type_ok(t, inst) => {
                errs.push(format!("{path}: expected {t}, found {inst}"));
                return;
            }
            Some(Value::Array(ts))
                if !ts
                    .iter()
                    .any(|t| Self::type_ok(t.as_str().unwrap_or(""), inst)) =>
            {
                errs.push(format!("{path}: expected one of {ts:?}, found {inst}"));
                return;
            }
            _ => {}
        }
        if let Some(Value::Array(allowed)) = schema.get("enum")
            && !allowed.contains(inst)
        {
            errs.push(format!("{path}: {inst} not in enum"));
        }
        self.codelist_check(schema, inst, path, errs);
        match inst {
            Value::Object(o) => {
                if let Some(Value::Array(req)) = schema.get("required") {
                    for r in req {
                        if !o.contains_key(r.as_str().unwrap_or("")) {
                            errs.push(format!("{path}: missing required {r}"));
                        }
                    }
                }
                let props = schema.get("properties").and_then(Value::as_object);
                for (k, v) in o {
                    match props.and_then(|p| p.get(k)) {
                        Some(s) => self.validate(root, s, v, &format!("{path}.{k}"), errs),
                        None => errs.push(format!("{path}: undeclared property {k}")),
                    }
                }
            }
            Value::Array(a) => {
                if let Some(min) = schema.get("minItems").and_then(Value::as_u64)
                    && (a.len() as u64) < min
                {
                    errs.push(format!("{path}: fewer than {min} items"));
                }
                if schema.get("uniqueItems") == Some(&Value::Bool(true)) {
                    let set: BTreeSet<String> = a.iter().map(Value::to_string).collect();
                    if set.len() != a.len() {
                        errs.push(format!("{path}: items are not unique"));
                    }
                }
                if let Some(items) = schema.get("items") {
                    for (i, v) in a.iter().enumerate() {
                        self.validate(root, items, v, &format!("{path}[{i}]"), errs);
                    }
                }
            }
            Value::String(s) => {
                if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
                    && (s.chars().count() as u64) < min
                {
                    errs.push(format!("{path}: shorter than {min}"));
                }
                match schema.get("format").and_then(Value::as_str) {
                    Some("date-time") if chrono::DateTime::parse_from_rfc3339(s).is_err() => {
                        errs.push(format!("{path}: {s:?} is not a date-time"));
                    }
                    Some("uri") if !(s.starts_with("https://") || s.starts_with("http://")) => {
                        errs.push(format!("{path}: {s:?} is not an absolute URI"));
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
}
