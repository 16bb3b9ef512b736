//! `yiwang draw verify`: the demo's revealed expert draw, saved as its public record, is
//! recomputed with no database; a changed member, request or secret fails it.

use crate::{run, stdout};

#[tokio::test]
async fn a_revealed_demo_draw_verifies_offline_and_fails_when_changed() {
    let db = crate::demo_db("sqlite").await.expect("SQLite");
    let app = db.app().await;
    let draws = app
        .store
        .read()
        .await
        .unwrap()
        .list_draws(None)
        .await
        .unwrap();
    let revealed = draws
        .iter()
        .find(|d| d.secret.is_some())
        .expect("the demo reveals one draw");
    let record = serde_json::to_value(
        yiwang_app::experts::draws::public_record(&app, &revealed.id)
            .await
            .unwrap(),
    )
    .unwrap();
    app.store.close().await;
    let dir = tempfile::tempdir().unwrap();
    let check = |name: &str, v: &serde_json::Value| {
        let p = dir.path().join(name);
        std::fs::write(&p, serde_json::to_vec_pretty(v).unwrap()).unwrap();
        let o = run(&["draw", "verify", p.to_str().unwrap()]);
        (o.status.success(), stdout(&o))
    };
    let (ok, out) = check("record.json", &record);
    assert!(ok && out.starts_with("OK: draw"), "{out}");

    let mut member = record.clone();
    member["record"]["result"]["lines"][0]["members"][0]["expert_id"] = "someone-else".into();
    let mut request = record.clone();
    request["record"]["request"]["lines"][0]["reserve"] = 9.into();
    let mut secret = record.clone();
    secret["secret"] = "11".repeat(32).into();
    for (name, doc, code) in [
        ("member.json", &member, "draw.verify.result"),
        ("request.json", &request, "draw.verify.result"),
        ("secret.json", &secret, "draw.verify.commitment"),
    ] {
        let (ok, out) = check(name, doc);
        assert!(!ok && out.contains(code), "{name}: {out}");
    }
    let (ok, out) = check("junk.json", &serde_json::json!({"draw": 1}));
    assert!(!ok && out.starts_with("FAILED"), "{out}");
    db.cleanup().await;
}
