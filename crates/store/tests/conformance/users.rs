use yiwang_store::{RoleGrant, StoreError};
use yiwang_testkit::{TestDb, backend_test};

use crate::common::{org, seed_regions, user};

backend_test!(users_insert_find_get_update_and_duplicates);
async fn users_insert_find_get_update_and_duplicates(db: TestDb) {
    let b = db.backend;
    let store = db.store().await;
    let mut u1 = user("u1", "lina");
    u1.id_number = Some("321302198503121234".into());
    u1.email = Some("lina@example.cn".into());
    let u2 = user("u2", "wangqiang");
    let mut tx = store.write().await.expect("write");
    tx.insert_user(&u2).await.expect("insert u2");
    tx.insert_user(&u1).await.expect("insert u1");
    tx.commit().await.expect("commit");

    let mut tx = store.read().await.expect("read");
    assert_eq!(
        tx.find_user_by_username("lina").await.expect("find"),
        Some(u1.clone()),
        "[{b}] find_user_by_username round-trips every field"
    );
    assert_eq!(
        tx.get_user("u2").await.expect("get"),
        Some(u2.clone()),
        "[{b}] get_user"
    );
    assert_eq!(
        tx.get_user("nope").await.expect("get"),
        None,
        "[{b}] missing user"
    );
    assert_eq!(
        tx.find_user_by_username("nobody").await.expect("find"),
        None,
        "[{b}] unknown username"
    );
    let names: Vec<String> = tx
        .list_users()
        .await
        .expect("list")
        .into_iter()
        .map(|u| u.username)
        .collect();
    assert_eq!(names, ["lina", "wangqiang"], "[{b}] list_users by username");
    drop(tx);

    let mut changed = u1.clone();
    changed.display_name = "李娜娜".into();
    changed.phone = None;
    changed.email = Some("new@example.cn".into());
    changed.password_hash = "$argon2id$other".into();
    changed.status = "disabled".into();
    changed.updated_at = 3_000;
    let mut tx = store.write().await.expect("write");
    tx.update_user(&changed).await.expect("update");
    tx.commit().await.expect("commit");
    let got = store
        .read()
        .await
        .expect("read")
        .get_user("u1")
        .await
        .expect("get")
        .expect("present");
    assert_eq!(got, changed, "[{b}] update_user persisted");

    let mut tx = store.write().await.expect("write");
    let r = tx.insert_user(&user("u3", "lina")).await;
    assert!(
        matches!(r, Err(StoreError::Duplicate(_))),
        "[{b}] a duplicate username is StoreError::Duplicate, got {r:?}"
    );
    drop(tx);
    let mut tx = store.write().await.expect("write");
    let mut same_id_number = user("u4", "other");
    same_id_number.id_number = u1.id_number.clone();
    let r = tx.insert_user(&same_id_number).await;
    assert!(
        matches!(r, Err(StoreError::Duplicate(_))),
        "[{b}] a duplicate ID number is StoreError::Duplicate, got {r:?}"
    );
    drop(tx);
    assert_eq!(
        store
            .read()
            .await
            .expect("read")
            .list_users()
            .await
            .expect("list")
            .len(),
        2,
        "[{b}] refused inserts left no rows"
    );
    store.close().await;
    db.cleanup().await;
}

backend_test!(grants_of_user_join_organisation_path_and_name);
async fn grants_of_user_join_organisation_path_and_name(db: TestDb) {
    let b = db.backend;
    let store = db.store().await;
    let mut tx = store.write().await.expect("write");
    seed_regions(&mut *tx).await;
    let p = org("p", None);
    let c = org("c", Some(&p));
    tx.insert_organisation(&p).await.expect("p");
    tx.insert_organisation(&c).await.expect("c");
    tx.insert_user(&user("u1", "admin")).await.expect("u1");
    tx.insert_user(&user("u2", "other")).await.expect("u2");
    let grant = |id: &str, user: &str, role: &str, org: &str| RoleGrant {
        id: id.into(),
        user_id: user.into(),
        role: role.into(),
        org_id: org.into(),
        created_at: 5,
    };
    // Inserted child first; the view is ordered by organisation path then role.
    tx.insert_grant(&grant("g1", "u1", "supervisor", "c"))
        .await
        .expect("g1");
    tx.insert_grant(&grant("g2", "u1", "administrator", "p"))
        .await
        .expect("g2");
    tx.insert_grant(&grant("g3", "u1", "administrator", "c"))
        .await
        .expect("g3");
    tx.insert_grant(&grant("g4", "u2", "window_officer", "c"))
        .await
        .expect("g4");
    tx.commit().await.expect("commit");

    let mut tx = store.read().await.expect("read");
    let views = tx.grants_of_user("u1").await.expect("grants");
    let got: Vec<(String, String, String, String, String)> = views
        .into_iter()
        .map(|g| (g.role, g.org_id, g.org_path, g.org_name, g.org_name_en))
        .collect();
    let row = |role: &str, o: &yiwang_store::Organisation| {
        (
            role.to_string(),
            o.id.clone(),
            o.path.clone(),
            o.name.clone(),
            o.name_en.clone(),
        )
    };
    assert_eq!(
        got,
        vec![
            row("administrator", &p),
            row("administrator", &c),
            row("supervisor", &c)
        ],
        "[{b}] grants_of_user joins organisation path and names, ordered by path, role"
    );
    assert!(
        tx.grants_of_user("nobody").await.expect("none").is_empty(),
        "[{b}] no grants for an unknown user"
    );
    assert_eq!(
        tx.list_grants().await.expect("all").len(),
        4,
        "[{b}] list_grants"
    );
    drop(tx);

    let mut tx = store.write().await.expect("write");
    let r = tx.insert_grant(&grant("g5", "u1", "supervisor", "c")).await;
    assert!(
        matches!(r, Err(StoreError::Duplicate(_))),
        "[{b}] the same role twice in one organisation is Duplicate, got {r:?}"
    );
    drop(tx);
    store.close().await;
    db.cleanup().await;
}
