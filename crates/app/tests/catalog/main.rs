//! Catalogue use cases on both backends: import (all or nothing), versions and lifecycle, search
//! following publish/suspend, claiming, bundles, consultation, permissions, audit coverage.

mod blobs;

use std::sync::Arc;

use futures_util::StreamExt;

use yiwang_app::App;
use yiwang_app::catalog::import::{self, ImportOptions};
use yiwang_app::catalog::items::{self, ClaimRequest};
use yiwang_app::catalog::{bundles, questions, search, stats};
use yiwang_app::identity::actor_of;
use yiwang_core::ProblemKind;
use yiwang_core::access::Actor;
use yiwang_core::catalog::table::{BUNDLE_COLUMNS, COLUMNS, format_item};
use yiwang_core::catalog::*;
use yiwang_search::Filters;
use yiwang_testkit::{TestDb, backend_test};

fn body(code: &str, name: &str, aliases: &[&str], item_type: ItemType) -> ItemBody {
    let b = yiwang_testkit::sample_item(code, name, aliases);
    assert_eq!(b.item_type, item_type, "the code's type");
    b
}

const MARKET: &str = "宿迁市市场监督管理局";
const POLICE: &str = "宿迁市公安局";

fn items_grid(rows: &[(&ItemBody, &str, bool)]) -> Vec<Vec<String>> {
    let mut g = vec![COLUMNS.iter().map(|c| c.to_string()).collect::<Vec<_>>()];
    for (b, dept, publish) in rows {
        g.push(format_item(b, dept, *publish));
    }
    g
}

fn sample_catalogue() -> Vec<ItemBody> {
    vec![
        body(
            "011000201000",
            "食品经营许可(新办)",
            &["开饭店", "开餐馆"],
            ItemType::Licence,
        ),
        body(
            "011000101000",
            "企业设立登记",
            &["营业执照", "开公司"],
            ItemType::Licence,
        ),
        body(
            "082000101000",
            "出生登记",
            &["上户口", "报户口"],
            ItemType::Confirmation,
        ),
        body(
            "124000101000",
            "出生医学证明办理",
            &["出生证"],
            ItemType::PublicService,
        ),
    ]
}

async fn world(db: &TestDb) -> Arc<App> {
    let app = db.app().await;
    yiwang_app::demo::build(&app)
        .await
        .expect("demo organisations");
    app
}

async fn actor(app: &App, username: &str) -> Actor {
    let mut tx = app.store.read().await.unwrap();
    let user = tx.find_user_by_username(username).await.unwrap().unwrap();
    actor_of(&mut *tx, &user).await.unwrap()
}

async fn import_sample(app: &Arc<App>) -> import::ImportReport {
    let items = sample_catalogue();
    let depts = [MARKET, MARKET, POLICE, "宿迁市卫生健康委员会"];
    let rows: Vec<(&ItemBody, &str, bool)> =
        items.iter().zip(depts).map(|(b, d)| (b, d, true)).collect();
    let bundles = vec![
        BUNDLE_COLUMNS
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>(),
        vec![
            "LE002".into(),
            "新生儿出生一件事".into(),
            "生孩子;生娃".into(),
            "一次办好".into(),
            "082000101000;124000101000".into(),
            "5".into(),
        ],
    ];
    import::import(
        app,
        None,
        &items_grid(&rows),
        Some(&bundles),
        ImportOptions {
            progress: None,
            generate_forms: true,
            ..Default::default()
        },
    )
    .await
    .expect("import")
}

fn first_hit(page: &search::SearchPage) -> String {
    page.hits
        .first()
        .map(|h| h.name.clone())
        .unwrap_or_default()
}

backend_test!(import_publishes_and_search_follows_the_lifecycle);
async fn import_publishes_and_search_follows_the_lifecycle(db: TestDb) {
    let b = db.backend;
    let app = world(&db).await;
    let report = import_sample(&app).await;
    assert_eq!(
        (report.items_created, report.published, report.bundles),
        (4, 4, 1),
        "[{b}]"
    );
    let page = search::search(&app, "开饭店", &Filters::default(), 0, 10)
        .await
        .unwrap();
    assert_eq!(first_hit(&page), "食品经营许可(新办)", "[{b}]");
    let page = search::search(&app, "生孩子", &Filters::default(), 0, 10)
        .await
        .unwrap();
    assert_eq!(page.hits[0].kind, "bundle", "[{b}] {page:?}");
    // Suspending takes the item out of search at once; resuming brings it back.
    let cat = actor(&app, "catalog").await;
    let id = page_id(&app, "开饭店").await;
    items::change_status(&app, &cat, &id, ItemAction::Suspend)
        .await
        .unwrap();
    let page = search::search(&app, "开饭店", &Filters::default(), 0, 10)
        .await
        .unwrap();
    assert!(
        page.hits.iter().all(|h| h.id != id),
        "[{b}] suspended item still found"
    );
    items::change_status(&app, &cat, &id, ItemAction::Resume)
        .await
        .unwrap();
    assert_eq!(page_id(&app, "开饭店").await, id, "[{b}]");
    // Filters and statistics.
    let f = Filters {
        item_type: Some("行政确认".into()),
        ..Default::default()
    };
    let page = search::search(&app, "", &f, 0, 10).await.unwrap();
    assert_eq!(page.total, 1, "[{b}]");
    let s = stats::stats(&app).await.unwrap();
    assert_eq!(s.published_items, 4, "[{b}]");
    assert_eq!(s.online_share, 100.0, "[{b}]");
    // Forms were generated for the application forms and are downloadable.
    let view = items::public_item(&app.store, &id).await.unwrap();
    let form = view.body.materials[0]
        .blank_form
        .clone()
        .expect("blank form");
    let (_, read) = yiwang_app::catalog::files::download(&app, &form, Some(0..2))
        .await
        .unwrap();
    let head: Vec<u8> = read.stream.map(|c| c.unwrap().to_vec()).concat().await;
    assert_eq!(head, b"PK", "[{b}] xlsx");
    // Every change is in the ledger and verifies.
    let report = yiwang_app::audit::verify(&app.store, &app.platform_key().public_key_hex())
        .await
        .unwrap();
    assert!(report.intact(), "[{b}] {:?}", report.findings);
    app.store.close().await;
    db.cleanup().await;
}

async fn page_id(app: &App, q: &str) -> String {
    search::search(app, q, &Filters::default(), 0, 10)
        .await
        .unwrap()
        .hits[0]
        .id
        .clone()
}

backend_test!(an_import_with_one_bad_row_imports_nothing_and_names_the_row);
async fn an_import_with_one_bad_row_imports_nothing_and_names_the_row(db: TestDb) {
    let b = db.backend;
    let app = world(&db).await;
    let items = sample_catalogue();
    let mut bad = items[1].clone();
    bad.promised_limit_days = 30; // longer than the legal limit
    let grid = items_grid(&[
        (&items[0], MARKET, true),
        (&bad, MARKET, true),
        (&items[2], "不存在的局", true),
    ]);
    let (head, _) = app.store.read().await.unwrap().ledger_head().await.unwrap();
    let err = import::import(&app, None, &grid, None, ImportOptions::default())
        .await
        .unwrap_err();
    let yiwang_app::AppError::Problem(p) = err else {
        panic!("[{b}] expected a problem")
    };
    assert_eq!(p.code, "import.rows", "[{b}]");
    let errors = p.details.unwrap()["errors"].as_array().unwrap().clone();
    assert!(
        errors
            .iter()
            .any(|e| e["line"] == 3 && e["column"] == "promised_limit_days"),
        "[{b}] {errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e["line"] == 4 && e["column"] == "department"),
        "[{b}] {errors:?}"
    );
    let mut tx = app.store.read().await.unwrap();
    assert!(
        tx.list_items("").await.unwrap().is_empty(),
        "[{b}] nothing imported"
    );
    assert_eq!(
        tx.ledger_head().await.unwrap().0,
        head,
        "[{b}] no ledger entry"
    );
    drop(tx);
    app.store.close().await;
    db.cleanup().await;
}

backend_test!(published_versions_are_frozen_and_stay_readable);
async fn published_versions_are_frozen_and_stay_readable(db: TestDb) {
    let b = db.backend;
    let app = world(&db).await;
    import_sample(&app).await;
    let cat = actor(&app, "catalog").await;
    let id = page_id(&app, "营业执照").await;
    let mut body = items::public_item(&app.store, &id).await.unwrap().body;
    body.promised_limit_days = 3;
    body.steps[1].limit_days = 2;
    let draft = items::save_item(&app, &cat, &id, body.clone())
        .await
        .unwrap();
    assert_eq!((draft.version, draft.frozen), (2, false), "[{b}]");
    // The public still sees version 1 until version 2 is published.
    assert_eq!(
        items::public_item(&app.store, &id)
            .await
            .unwrap()
            .body
            .promised_limit_days,
        10,
        "[{b}]"
    );
    items::change_status(&app, &cat, &id, ItemAction::Publish)
        .await
        .unwrap();
    assert_eq!(
        items::public_item(&app.store, &id)
            .await
            .unwrap()
            .body
            .promised_limit_days,
        3,
        "[{b}]"
    );
    let v1 = items::item_version(&app.store, None, &id, 1).await.unwrap();
    assert_eq!(
        v1.body.promised_limit_days, 10,
        "[{b}] version 1 still readable"
    );
    // Nothing to publish now; a cancelled item cannot be edited.
    let e = items::change_status(&app, &cat, &id, ItemAction::Publish)
        .await
        .unwrap_err();
    assert!(
        matches!(e, yiwang_app::AppError::Problem(ref p) if p.code == "item.nothing_to_publish"),
        "[{b}] {e}"
    );
    items::change_status(&app, &cat, &id, ItemAction::Cancel)
        .await
        .unwrap();
    let e = items::save_item(&app, &cat, &id, body).await.unwrap_err();
    assert_eq!(e.kind(), Some(ProblemKind::Conflict), "[{b}]");
    assert!(
        items::public_item(&app.store, &id).await.is_err(),
        "[{b}] cancelled items leave the hall"
    );
    app.store.close().await;
    db.cleanup().await;
}

backend_test!(claiming_keeps_the_identity_and_the_legal_limit);
async fn claiming_keeps_the_identity_and_the_legal_limit(db: TestDb) {
    let b = db.backend;
    let app = world(&db).await;
    import_sample(&app).await;
    let cat = actor(&app, "catalog").await;
    let id = page_id(&app, "开饭店").await;
    let district = {
        let mut tx = app.store.read().await.unwrap();
        tx.list_organisations("")
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.name == "宿城区市场监督管理局")
            .unwrap()
    };
    let req = |days| ClaimRequest {
        org_id: district.id.clone(),
        promised_limit_days: days,
        level: Some("县级".into()),
        consult_phone: None,
    };
    let e = items::claim_item(&app, &cat, &id, req(25))
        .await
        .unwrap_err();
    assert_eq!(
        e.kind(),
        Some(ProblemKind::Invalid),
        "[{b}] promise beyond the legal limit"
    );
    let claimed = items::claim_item(&app, &cat, &id, req(5)).await.unwrap();
    let base = items::public_item(&app.store, &id).await.unwrap();
    assert_eq!(claimed.body.code, base.body.code, "[{b}]");
    assert_eq!(claimed.body.name, base.body.name, "[{b}]");
    assert_eq!(claimed.body.legal_basis, base.body.legal_basis, "[{b}]");
    assert_eq!(claimed.body.level, Level::County, "[{b}]");
    assert_eq!(
        claimed.item.base_item_id.as_deref(),
        Some(id.as_str()),
        "[{b}]"
    );
    // Changing the claimed item's name is refused.
    let mut renamed = claimed.body.clone();
    renamed.name = "改名".into();
    assert!(
        items::save_item(&app, &cat, &claimed.item.id, renamed)
            .await
            .is_err(),
        "[{b}]"
    );
    // A window officer cannot claim or create.
    let window = actor(&app, "window").await;
    let e = items::claim_item(&app, &window, &id, req(5))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), Some(ProblemKind::Forbidden), "[{b}]");
    app.store.close().await;
    db.cleanup().await;
}

backend_test!(bundles_merge_materials_and_forms);
async fn bundles_merge_materials_and_forms(db: TestDb) {
    let b = db.backend;
    let app = world(&db).await;
    import_sample(&app).await;
    let view = bundles::public_bundle(&app.store, "LE002").await.unwrap();
    assert_eq!(view.items.len(), 2, "[{b}]");
    // 居民身份证 is asked by both items but listed once.
    let ids: Vec<_> = view
        .materials
        .iter()
        .filter(|m| m.material.name == "居民身份证")
        .collect();
    assert_eq!(ids.len(), 1, "[{b}]");
    assert_eq!(ids[0].required_by.len(), 2, "[{b}]");
    assert_eq!(
        view.form
            .iter()
            .filter(|f| f.key == "applicant_name")
            .count(),
        1,
        "[{b}]"
    );
    // Once one of its items is suspended, the published bundle is not on offer: a conflict
    // with its state, not a fault of the reader's request.
    let cat = actor(&app, "catalog").await;
    items::change_status(&app, &cat, &view.items[0].item.id, ItemAction::Suspend)
        .await
        .unwrap();
    let e = bundles::public_bundle(&app.store, "LE002")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), Some(ProblemKind::Conflict), "[{b}]");
    match e {
        yiwang_app::AppError::Problem(p) => {
            assert_eq!(p.code, "bundle.items_unavailable", "[{b}]")
        }
        other => panic!("[{b}] {other:?}"),
    }
    app.store.close().await;
    db.cleanup().await;
}

backend_test!(questions_are_answered_in_the_queue_and_become_faqs);
async fn questions_are_answered_in_the_queue_and_become_faqs(db: TestDb) {
    let b = db.backend;
    let app = world(&db).await;
    import_sample(&app).await;
    let id = page_id(&app, "开饭店").await;
    let citizen = actor(&app, "zhangwei").await;
    let q = questions::ask(&app.store, &citizen, &id, "小吃店也需要办理吗?")
        .await
        .unwrap();
    let approver = actor(&app, "approver").await;
    let queue = questions::queue(&app.store, &approver).await.unwrap();
    assert!(
        queue.iter().any(|x| x.question.id == q.id),
        "[{b}] in the department's queue"
    );
    let police = actor(&app, "window").await;
    assert!(
        questions::answer(&app.store, &police, &q.id, &faq_answer("x"))
            .await
            .is_err(),
        "[{b}] other organisations cannot answer"
    );
    questions::answer(
        &app.store,
        &approver,
        &q.id,
        &faq_answer("需要,小餐饮也应办理。"),
    )
    .await
    .unwrap();
    match questions::answer(&app.store, &approver, &q.id, &faq_answer("改答复。")).await {
        Err(yiwang_app::AppError::Problem(p)) => {
            assert_eq!(p.code, "question.already_answered", "[{b}]")
        }
        other => panic!("[{b}] a second answer must be refused: {other:?}"),
    }
    let faqs = questions::faqs(&app.store, &id).await.unwrap();
    assert_eq!(faqs.len(), 1, "[{b}]");
    assert!(
        faqs[0].asker_id.is_empty(),
        "[{b}] the asker is not shown publicly"
    );
    assert!(
        questions::queue(&app.store, &approver)
            .await
            .unwrap()
            .iter()
            .all(|x| x.question.id != q.id),
        "[{b}]"
    );
    app.store.close().await;
    db.cleanup().await;
}

fn faq_answer(a: &str) -> questions::AnswerInput {
    questions::AnswerInput {
        answer: a.into(),
        publish_faq: true,
        ..Default::default()
    }
}

backend_test!(a_question_with_personal_data_is_published_only_when_redacted);
async fn a_question_with_personal_data_is_published_only_when_redacted(db: TestDb) {
    let b = db.backend;
    let app = world(&db).await;
    import_sample(&app).await;
    let id = page_id(&app, "开饭店").await;
    let citizen = actor(&app, "zhangwei").await;
    let asked = "我叫张伟,身份证110101199003074514,电话13800138000,开小吃店要办许可吗?";
    let q = questions::ask(&app.store, &citizen, &id, asked)
        .await
        .unwrap();
    let approver = actor(&app, "approver").await;

    // Published word for word: refused, listing the kinds found, nothing stored.
    let e = questions::answer(&app.store, &approver, &q.id, &faq_answer("需要办理。"))
        .await
        .unwrap_err();
    let yiwang_app::AppError::Problem(p) = e else {
        panic!("[{b}] {e:?}")
    };
    assert_eq!(p.kind, ProblemKind::Invalid, "[{b}]");
    assert_eq!(p.code, "question.personal_data", "[{b}]");
    let kinds = p.details.as_ref().unwrap()["kinds"].clone();
    assert_eq!(
        kinds,
        serde_json::json!(["id_number", "mobile", "name"]),
        "[{b}] {p:?}"
    );
    assert!(p.message.contains("身份证号码") && p.message_en.contains("ID number"));
    assert!(
        questions::faqs(&app.store, &id).await.unwrap().is_empty(),
        "[{b}]"
    );
    // An edited answer that adds personal data is refused too.
    let mut input = faq_answer("需要办理。");
    input.public_question = Some("开小吃店要办许可吗?".into());
    input.public_answer = Some("需要,请联系王先生。".into());
    let e = questions::answer(&app.store, &approver, &q.id, &input)
        .await
        .unwrap_err();
    let yiwang_app::AppError::Problem(p) = e else {
        panic!("[{b}] {e:?}")
    };
    assert_eq!(p.code, "question.personal_data", "[{b}]");

    // Redacted: the FAQ shows only the public wording; the asker keeps the private answer.
    let input = questions::AnswerInput {
        answer: "张伟您好:需要办理,请携带身份证原件。".into(),
        publish_faq: true,
        public_question: Some("开小吃店要办许可吗?".into()),
        public_answer: Some("需要办理,请携带身份证原件。".into()),
    };
    questions::answer(&app.store, &approver, &q.id, &input)
        .await
        .unwrap();
    let faqs = questions::faqs(&app.store, &id).await.unwrap();
    assert_eq!(faqs.len(), 1, "[{b}]");
    assert_eq!(faqs[0].question, "开小吃店要办许可吗?", "[{b}]");
    assert_eq!(
        faqs[0].answer.as_deref(),
        Some("需要办理,请携带身份证原件。"),
        "[{b}]"
    );
    let public = serde_json::to_string(&faqs).unwrap();
    assert!(
        !public.contains("13800138000") && !public.contains("110101199003074514"),
        "[{b}] {public}"
    );
    assert!(!public.contains("张伟"), "[{b}] {public}");

    let mine = questions::mine(&app.store, &citizen).await.unwrap();
    assert_eq!(mine.len(), 1, "[{b}]");
    assert_eq!(mine[0].question, asked, "[{b}]");
    assert_eq!(
        mine[0].answer.as_deref(),
        Some("张伟您好:需要办理,请携带身份证原件。"),
        "[{b}]"
    );
    assert!(mine[0].published_as_faq, "[{b}]");
    let other = actor(&app, "approver").await;
    assert!(
        questions::mine(&app.store, &other)
            .await
            .unwrap()
            .is_empty(),
        "[{b}] nobody else sees it"
    );

    // The ledger still covers every row, the new wording included.
    let report = yiwang_app::audit::verify(&app.store, &app.platform_key().public_key_hex())
        .await
        .unwrap();
    assert!(report.intact(), "[{b}] {:?}", report.findings);
    app.store.close().await;
    db.cleanup().await;
}

backend_test!(export_round_trips_through_import);
async fn export_round_trips_through_import(db: TestDb) {
    let b = db.backend;
    let app = world(&db).await;
    import_sample(&app).await;
    let (items_grid, bundle_grid) = import::export(&app.store, "", None).await.unwrap();
    assert_eq!(items_grid.len(), 5, "[{b}]");
    assert_eq!(bundle_grid.len(), 2, "[{b}]");
    let xlsx = import::write_grid(import::Format::Xlsx, &items_grid, &bundle_grid);
    let (back, bundles_back) = import::read_grid(import::Format::Xlsx, &xlsx).unwrap();
    assert_eq!(back, items_grid, "[{b}] xlsx round trip");
    assert_eq!(bundles_back.unwrap(), bundle_grid, "[{b}]");
    // Importing the export again makes new draft versions of the same items, nothing else.
    let report = import::import(&app, None, &back, None, ImportOptions::default())
        .await
        .unwrap();
    assert_eq!(
        (report.items_created, report.versions_created),
        (0, 4),
        "[{b}]"
    );
    app.store.close().await;
    db.cleanup().await;
}

backend_test!(managers_act_only_on_their_subtree);
async fn managers_act_only_on_their_subtree(db: TestDb) {
    let b = db.backend;
    let app = world(&db).await;
    let hohhot_market = {
        let mut tx = app.store.read().await.unwrap();
        tx.list_organisations("")
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.name == "呼和浩特市市场监督管理局")
            .unwrap()
    };
    let cat = actor(&app, "catalog").await;
    let body = sample_catalogue().remove(0);
    let e = items::create_item(&app, &cat, &hohhot_market.id, body.clone())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), Some(ProblemKind::Forbidden), "[{b}]");
    let grid = items_grid(&[(&body, "呼和浩特市市场监督管理局", true)]);
    let e = import::import(&app, Some(&cat), &grid, None, ImportOptions::default())
        .await
        .unwrap_err();
    assert_eq!(
        e.kind(),
        Some(ProblemKind::Invalid),
        "[{b}] the row names the forbidden department"
    );
    app.store.close().await;
    db.cleanup().await;
}

backend_test!(the_demo_catalogue_finds_the_obvious_item_for_everyday_words);
async fn the_demo_catalogue_finds_the_obvious_item_for_everyday_words(db: TestDb) {
    let b = db.backend;
    let app = world(&db).await;
    let report = yiwang_app::demo::build_catalog(&app)
        .await
        .expect("demo catalogue");
    assert!(report.items_created >= 200, "[{b}] {report:?}");
    assert!(report.bundles >= 5, "[{b}]");
    let s = stats::stats(&app).await.unwrap();
    assert!(
        s.by_type.iter().all(|t| t.count > 0),
        "[{b}] every item type: {:?}",
        s.by_type
    );
    assert!(s.departments >= 10, "[{b}] {} departments", s.departments);
    let first = |page: &search::SearchPage| (page.hits[0].kind.clone(), page.hits[0].name.clone());
    for (q, kind, expect) in [
        ("开饭店", "item", "食品经营许可"),
        ("营业执照", "item", "设立登记"),
        ("生孩子", "bundle", "新生儿出生"),
        ("身份证丢了", "item", "居民身份证补领"),
        ("施工许可", "item", "建筑工程施工许可"),
        ("失业金", "item", "失业保险金"),
        ("开公司", "bundle", "企业开办"),
    ] {
        let page = search::search(&app, q, &Filters::default(), 0, 10)
            .await
            .unwrap();
        let (k, name) = first(&page);
        assert_eq!(k, kind, "[{b}] {q}: {name}");
        assert!(
            name.contains(expect),
            "[{b}] {q} → {name}, expected {expect}"
        );
    }
    // Every published item shows all six openness elements.
    let mut tx = app.store.read().await.unwrap();
    for item in tx.list_items("").await.unwrap() {
        if let Some(v) = item.published_version {
            let row = tx.get_item_version(&item.id, v).await.unwrap().unwrap();
            let body: ItemBody = serde_json::from_str(&row.body).unwrap();
            assert!(
                body.six_openness_complete(),
                "[{b}] {} lacks an openness element",
                body.name
            );
        }
    }
    drop(tx);
    let report = yiwang_app::audit::verify(&app.store, &app.platform_key().public_key_hex())
        .await
        .unwrap();
    assert!(report.intact(), "[{b}] {:?}", report.findings.first());
    app.store.close().await;
    db.cleanup().await;
}

backend_test!(another_node_follows_the_catalogue_revision);
async fn another_node_follows_the_catalogue_revision(db: TestDb) {
    let b = db.backend;
    let app = world(&db).await;
    import_sample(&app).await;
    // A second node on the same database builds its index at start.
    let other = App::start(db.store().await).await.unwrap();
    assert_eq!(
        page_id(&other, "开饭店").await,
        page_id(&app, "开饭店").await,
        "[{b}]"
    );
    let cat = actor(&app, "catalog").await;
    let id = page_id(&app, "开饭店").await;
    items::change_status(&app, &cat, &id, ItemAction::Suspend)
        .await
        .unwrap();
    // Until it syncs, the other node still has the item; after a sync it does not.
    other.search_sync().await;
    let page = search::search(&other, "开饭店", &Filters::default(), 0, 10)
        .await
        .unwrap();
    assert!(
        page.hits.iter().all(|h| h.id != id),
        "[{b}] the other node followed the suspension"
    );
    assert_eq!(
        other.search().index.revision(),
        app.search().index.revision(),
        "[{b}]"
    );
    other.store.close().await;
    app.store.close().await;
    db.cleanup().await;
}
