//! The answers every operation can give whatever its handler does, added to the OpenAPI document
//! in one place so that no operation can forget them:
//!
//! - **400** when the operation takes a path or query parameter or a body: malformed JSON,
//!   mistyped fields, a bad path or query parameter, a NUL character in text (`request.*`, see
//!   `api::extract`);
//! - **401** when it takes credentials: a missing, invalid or revoked token or session;
//! - **403** on writes that take credentials: a session cookie without its `X-CSRF-Token`;
//! - **404** when its path has parameters: no such object;
//! - **413** and **415** when it takes a JSON body: too large, or not `application/json`;
//! - **503** on every operation that reads or writes the database: `db.busy`, the database could not give the request its turn in
//!   time, with `Retry-After`.
//!
//! The statuses that depend on the use case (403, 404, 409, 422 …) are listed on each handler.

use utoipa::Modify;
use utoipa::openapi::path::{HttpMethod, Operation};
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{Content, Header, OpenApi, Ref, RefOr, Response};

use crate::error::RETRY_AFTER_SECS;

/// The schema of a file in a request or response body: any bytes.
pub struct Binary;

impl utoipa::PartialSchema for Binary {
    fn schema() -> RefOr<utoipa::openapi::schema::Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}

impl utoipa::ToSchema for Binary {}

/// Operations that answer from memory (the node's cached calendar) and never wait for the
/// database.
const DATABASE_FREE: &[&str] = &["deadline", "elapsed"];

/// Adds the always-possible error responses to every operation (see the module doc).
pub struct CommonResponses;

fn error_response(description: &str) -> Response {
    let mut r = Response::new(description);
    r.content.insert(
        "application/json".into(),
        RefOr::T(Content::new(Some(Ref::from_schema_name("ErrorBody")))),
    );
    r
}

/// Inserts `status` unless the handler documents it already; a handler's own entry without a
/// description gets the common one.
fn add(op: &mut Operation, status: &str, description: &str) {
    let entry = op
        .responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| RefOr::T(error_response(description)));
    if let RefOr::T(r) = entry
        && r.description.is_empty()
    {
        r.description = description.to_string();
    }
}

fn busy_response() -> Response {
    let mut r = error_response(
        "数据库繁忙 `db.busy`: the database could not give the request its turn in time; retry \
         after `Retry-After` seconds",
    );
    let seconds = ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(0))
        .build();
    let mut header = Header::new(seconds);
    header.description = Some(format!(
        "Seconds to wait before retrying (currently {RETRY_AFTER_SECS})"
    ));
    r.headers.insert("Retry-After".into(), RefOr::T(header));
    r
}

fn describe(op: &mut Operation, method: &HttpMethod, path: &str) {
    let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let json_body = match &op.request_body {
        Some(RefOr::T(b)) => b.content.contains_key("application/json"),
        Some(RefOr::Ref(_)) => true,
        None => false,
    };
    if has_params || op.request_body.is_some() {
        add(
            op,
            "400",
            "请求格式错误: malformed JSON, missing or mistyped fields, or a bad path or query \
             parameter (`request.invalid_json`, `request.invalid_fields`, `request.invalid_path`, \
             `request.invalid_query`), or text with a NUL character (`request.nul_character`)",
        );
    }
    if let Some(security) = &op.security
        && !security.is_empty()
    {
        add(
            op,
            "401",
            "未登录: credentials missing, invalid, expired or revoked (`unauthenticated`, \
             `auth.invalid_token`)",
        );
        if *method != HttpMethod::Get {
            add(
                op,
                "403",
                "无权操作: not permitted, or a session cookie without its `X-CSRF-Token` \
                 (`forbidden`, `csrf.invalid`)",
            );
        }
    }
    if path.contains('{') {
        add(op, "404", "不存在: no such object (`not_found`)");
    }
    if json_body {
        add(
            op,
            "413",
            "请求内容过大: the body is larger than the limit (`request.too_large`)",
        );
        add(
            op,
            "415",
            "内容类型不受支持: the body must be `application/json` (`request.content_type`)",
        );
    }
    if !DATABASE_FREE.contains(&op.operation_id.as_deref().unwrap_or("")) {
        op.responses
            .responses
            .entry("503".into())
            .or_insert_with(|| RefOr::T(busy_response()));
    }
    // Statuses listed by the handler without a description get a standard one (a response
    // object's description is required).
    for (status, description) in [
        ("200", "成功 OK"),
        ("201", "已创建 Created"),
        ("204", "成功,无内容 No content"),
        ("403", "无权操作: the caller may not do this (`forbidden`)"),
        ("404", "不存在: no such object (`not_found`)"),
        (
            "409",
            "冲突: the object's state or a duplicate forbids it (`duplicate`, …)",
        ),
        (
            "413",
            "请求内容过大: the body is larger than the limit (`request.too_large`)",
        ),
        (
            "422",
            "内容不符合规则: the request breaks a rule; `details` says which",
        ),
    ] {
        if let Some(RefOr::T(r)) = op.responses.responses.get_mut(status)
            && r.description.is_empty()
        {
            r.description = description.to_string();
        }
    }
}

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (method, op) in [
                (HttpMethod::Get, item.get.as_mut()),
                (HttpMethod::Put, item.put.as_mut()),
                (HttpMethod::Post, item.post.as_mut()),
                (HttpMethod::Delete, item.delete.as_mut()),
                (HttpMethod::Patch, item.patch.as_mut()),
            ] {
                if let Some(op) = op {
                    describe(op, &method, path);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    fn doc() -> Value {
        serde_json::to_value(super::super::openapi()).unwrap()
    }

    fn operations(doc: &Value) -> Vec<(String, String, Value)> {
        let mut out = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                out.push((path.clone(), method.clone(), op.clone()));
            }
        }
        out
    }

    #[test]
    fn every_operation_lists_the_always_possible_answers() {
        let doc = doc();
        let ops = operations(&doc);
        assert!(ops.len() >= 40, "{} operations", ops.len());
        for (path, method, op) in ops {
            let id = op["operationId"].as_str().unwrap();
            let r = &op["responses"];
            let has = |s: &str| r.get(s).is_some();
            let json_body = op["requestBody"]["content"]
                .get("application/json")
                .is_some();
            if !super::DATABASE_FREE.contains(&id) {
                assert!(
                    r["503"]["headers"].get("Retry-After").is_some(),
                    "{method} {path}: 503 with Retry-After"
                );
            }
            if op.get("parameters").is_some() || op.get("requestBody").is_some() {
                assert!(has("400"), "{method} {path}: 400");
            }
            if json_body {
                for s in ["413", "415"] {
                    assert!(has(s), "{method} {path}: {s}");
                }
            }
            if op.get("security").is_some() {
                assert!(has("401"), "{method} {path}: 401");
            }
            if path.contains('{') {
                assert!(has("404"), "{method} {path}: 404");
            }
            for (status, resp) in r.as_object().unwrap() {
                assert!(
                    !resp["description"].as_str().unwrap_or("").is_empty(),
                    "{method} {path}: {status} has a description"
                );
                if status.starts_with('4') || status.starts_with('5') {
                    let json = &resp["content"]["application/json"]["schema"]["$ref"];
                    assert_eq!(
                        json, "#/components/schemas/ErrorBody",
                        "{method} {path}: {status} is an ErrorBody"
                    );
                }
            }
        }
    }

    #[test]
    fn bodies_have_their_real_schemas_and_limits() {
        let doc = doc();
        let s = &doc["components"]["schemas"];
        assert_eq!(
            s["NewItem"]["properties"]["body"]["$ref"],
            "#/components/schemas/ItemBody"
        );
        assert_eq!(
            s["SaveItem"]["properties"]["body"]["$ref"],
            "#/components/schemas/ItemBody"
        );
        assert_eq!(
            s["SaveBundle"]["properties"]["body"]["$ref"],
            "#/components/schemas/BundleBody"
        );
        let required = |name: &str| -> Vec<String> {
            s[name]["required"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect()
        };
        for field in [
            "code",
            "name",
            "item_type",
            "materials",
            "steps",
            "delivery_modes",
        ] {
            assert!(
                required("ItemBody").contains(&field.to_string()),
                "ItemBody.{field}"
            );
        }
        assert!(required("BundleBody").contains(&"code".to_string()));
        assert_eq!(s["ItemCode"]["pattern"], "^(0[1-9]|1[0-2])[0-9]{10}$");
        assert_eq!(
            s["BundleBody"]["properties"]["code"]["pattern"],
            "^LE[0-9]{3}$"
        );
        let item = &s["ItemBody"]["properties"];
        assert_eq!(item["name"]["maxLength"], 100);
        assert_eq!(
            item["legal_limit_days"]["maximum"],
            yiwang_core::catalog::item::MAX_LIMIT_DAYS
        );
        assert_eq!(s["Ask"]["properties"]["question"]["maxLength"], 500);
        assert_eq!(s["TokenRequest"]["properties"]["name"]["maxLength"], 100);
        assert_eq!(s["ElapsedQuery"]["properties"]["paused"]["maxItems"], 100);
        let param = |path: &str, name: &str| -> Value {
            doc["paths"][path]["get"]["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == name)
                .unwrap()["schema"]
                .clone()
        };
        assert_eq!(param("/api/v1/calendar/deadline", "days")["maximum"], 3650);
        assert_eq!(
            param("/api/v1/catalog/search", "offset")["maximum"],
            yiwang_search::MAX_WINDOW
        );
        assert_eq!(
            param("/api/v1/catalog/search", "q")["maxLength"],
            yiwang_search::MAX_QUERY_CHARS
        );
    }
}
