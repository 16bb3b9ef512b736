//! Fixtures shared by the conformance tests.

use yiwang_core::time::Micros;
use yiwang_store::prelude::*;
use yiwang_store::{LedgerDraft, Organisation, Region, User};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

pub fn now() -> Micros {
    chrono::Utc::now().timestamp_micros()
}

pub fn region(code: &str, name: &str, parent: Option<&str>, level: &str) -> Region {
    Region {
        code: code.into(),
        name: name.into(),
        parent_code: parent.map(Into::into),
        level: level.into(),
    }
}

/// A province and a prefecture, enough for organisations to reference.
pub async fn seed_regions(tx: &mut dyn WriteTx) {
    tx.insert_region(&region("320000", "江苏省", None, "province"))
        .await
        .expect("insert province");
    tx.insert_region(&region("321300", "宿迁市", Some("320000"), "prefecture"))
        .await
        .expect("insert prefecture");
}

/// An organisation whose path ends in its own id.
pub fn org(id: &str, parent: Option<&Organisation>) -> Organisation {
    let path = format!("{}{id}/", parent.map(|p| p.path.as_str()).unwrap_or("/"));
    Organisation {
        id: id.into(),
        name: format!("机构{id}"),
        name_en: format!("Organisation {id}"),
        kind: "department".into(),
        region_code: "321300".into(),
        parent_id: parent.map(|p| p.id.clone()),
        path,
        credit_code: None,
        created_at: 1_000,
        updated_at: 1_000,
    }
}

pub fn user(id: &str, username: &str) -> User {
    User {
        id: id.into(),
        username: username.into(),
        display_name: format!("用户{username}"),
        kind: "staff".into(),
        id_number: None,
        credit_code: None,
        phone: Some("13800000000".into()),
        email: None,
        password_hash: "$argon2id$fake".into(),
        status: "active".into(),
        created_at: 2_000,
        updated_at: 2_000,
    }
}

pub fn draft(action: &str) -> LedgerDraft {
    LedgerDraft {
        at: now(),
        actor_id: Some("actor-1".into()),
        actor_role: Some("administrator".into()),
        org_id: None,
        action: action.into(),
        subject_type: "test".into(),
        subject_id: action.into(),
        rows: vec![yiwang_core::ledger::RowDigest {
            table: "users".into(),
            id: "u1".into(),
            digest: "ab".repeat(32),
        }],
        // Non-ASCII text and unsorted keys: the stored detail must hash the same when re-read.
        detail: serde_json::json!({"z": 1, "a": {"名称": "宿迁", "list": [3, 1, 2]}, "m": null}),
    }
}
