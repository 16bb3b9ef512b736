//! The test world: the demo organisations and accounts, two published items of the Suqian market
//! regulator, and helpers.

use std::sync::Arc;

use yiwang_app::cases::apply::{self, ApplicantInput, DraftInput, MaterialInput, WindowInput};
use yiwang_app::catalog::items;
use yiwang_app::identity::{NewGrant, NewUser, actor_of, create_user};
use yiwang_app::jobs::RunnerConfig;
use yiwang_app::{App, AppError, AppResult};
use yiwang_core::access::Actor;
use yiwang_core::cases::CaseState;
use yiwang_core::catalog::ItemAction;
use yiwang_core::{Problem, ProblemKind};
use yiwang_store::CaseRow;
use yiwang_testkit::TestDb;

pub const MOBILE: &str = "13912345678";

pub struct World {
    pub app: Arc<App>,
    pub window: Actor,
    pub hohhot_window: Actor,
    pub approver: Actor,
    pub depthead: Actor,
    pub police: Actor,
    pub police_head: Actor,
    pub zhangwei: Actor,
    pub zhangwei_name: String,
    pub zhangwei_id_number: String,
    pub expert: Actor,
    pub market_id: String,
    pub police_id: String,
    pub centre_id: String,
    pub item: String,
    pub short_item: String,
}

async fn actor(app: &App, username: &str) -> Actor {
    let mut tx = app.store.read().await.expect("read");
    let user = tx
        .find_user_by_username(username)
        .await
        .expect("find")
        .unwrap_or_else(|| panic!("user {username}"));
    actor_of(&mut *tx, &user).await.expect("actor")
}

fn staff(username: &str, role: &str, org: &str) -> NewUser {
    NewUser {
        username: username.into(),
        display_name: format!("测试{username}"),
        kind: "staff".into(),
        password: "correct horse battery".into(),
        id_number: None,
        credit_code: None,
        phone: None,
        email: None,
        grants: vec![NewGrant {
            role: role.into(),
            org_id: org.into(),
        }],
    }
}

impl World {
    pub async fn new(db: &TestDb) -> World {
        let app = db.app().await;
        yiwang_app::demo::build(&app).await.expect("demo");
        let orgs = app
            .store
            .read()
            .await
            .expect("read")
            .list_organisations("")
            .await
            .expect("orgs");
        let find = |name: &str| {
            orgs.iter()
                .find(|o| o.name == name)
                .unwrap_or_else(|| panic!("organisation {name}"))
                .id
                .clone()
        };
        let market_id = find("宿迁市市场监督管理局");
        let police_id = find("宿迁市公安局");
        let centre_id = find("宿迁市政务服务中心");
        let hohhot_centre = find("呼和浩特市政务服务中心");
        let admin = actor(&app, "admin").await;
        for (u, role, org) in [
            ("police", "approving_officer", &police_id),
            ("policehead", "department_head", &police_id),
            ("hhwindow", "window_officer", &hohhot_centre),
        ] {
            create_user(&app.store, &admin, staff(u, role, org))
                .await
                .unwrap_or_else(|e| panic!("create {u}: {e}"));
        }
        let catalog = actor(&app, "catalog").await;
        let mut ids = Vec::new();
        for (code, name, promised) in [
            ("011000201000", "食品经营许可", 10),
            ("011000101000", "企业设立登记", 1),
        ] {
            let mut body = yiwang_testkit::sample_item(code, name, &[]);
            body.promised_limit_days = promised;
            let v = items::create_item(&app, &catalog, &market_id, body)
                .await
                .unwrap_or_else(|e| panic!("item {name}: {e}"));
            items::change_status(&app, &catalog, &v.item.id, ItemAction::Publish)
                .await
                .unwrap_or_else(|e| panic!("publish {name}: {e}"));
            ids.push(v.item.id);
        }
        let zw = app
            .store
            .read()
            .await
            .expect("read")
            .find_user_by_username("zhangwei")
            .await
            .expect("find")
            .expect("zhangwei");
        World {
            window: actor(&app, "window").await,
            hohhot_window: actor(&app, "hhwindow").await,
            approver: actor(&app, "approver").await,
            depthead: actor(&app, "depthead").await,
            police: actor(&app, "police").await,
            police_head: actor(&app, "policehead").await,
            zhangwei: actor(&app, "zhangwei").await,
            expert: actor(&app, "expert").await,
            zhangwei_name: zw.display_name.clone(),
            zhangwei_id_number: zw.id_number.clone().expect("id number"),
            market_id,
            police_id,
            centre_id,
            item: ids[0].clone(),
            short_item: ids[1].clone(),
            app,
        }
    }

    pub fn applicant(&self) -> ApplicantInput {
        ApplicantInput::Natural {
            name: self.zhangwei_name.clone(),
            id_number: self.zhangwei_id_number.clone(),
            mobile: MOBILE.into(),
        }
    }

    pub fn draft(&self, item: &str) -> DraftInput {
        DraftInput {
            item_id: item.into(),
            applicant: self.applicant(),
            form: [("applicant_name".to_string(), self.zhangwei_name.clone())].into(),
        }
    }

    /// The name of the application-form material of the item in use.
    pub fn form_material(&self) -> String {
        "食品经营许可申请书".into()
    }

    fn material_name(&self, item: &str, m: &str) -> String {
        if item == self.short_item && m == "食品经营许可申请书" {
            "企业设立登记申请书".into()
        } else {
            m.into()
        }
    }

    pub async fn blob(&self, material: &str) -> MaterialInput {
        let content = format!("%PDF-1.4 {material} {}", yiwang_app::new_id()).into_bytes();
        let stored = self.app.blobs().put_bytes(content).await.expect("blob");
        MaterialInput {
            material: material.into(),
            filename: "材料.pdf".into(),
            content_type: "application/pdf".into(),
            digest: stored.digest,
        }
    }

    /// The applicant uploads a new file for `material`.
    pub async fn attach(&self, case_id: &str, material: &str) {
        let item = self
            .app
            .store
            .read()
            .await
            .expect("read")
            .get_case(case_id)
            .await
            .expect("get")
            .expect("case")
            .item_id;
        let m = self.blob(&self.material_name(&item, material)).await;
        apply::attach_material(&self.app, &self.zhangwei, case_id, m)
            .await
            .unwrap_or_else(|e| panic!("attach {material}: {e}"));
    }

    /// An online case, submitted with both materials: (id, number, query code).
    pub async fn submitted_case(&self, item: &str) -> (String, String, String) {
        let d = apply::save_draft(&self.app, &self.zhangwei, None, self.draft(item))
            .await
            .expect("draft");
        let id = d.case.id;
        self.attach(&id, &self.form_material()).await;
        self.attach(&id, "居民身份证").await;
        let s = apply::submit(&self.app, &self.zhangwei, &id)
            .await
            .expect("submit");
        (id, s.case.case.number, s.query_code)
    }

    /// A walk-in application with these materials.
    pub async fn walk_in(&self, item: &str, materials: &[String]) -> WindowInput {
        let mut ms = Vec::new();
        for m in materials {
            ms.push(self.blob(&self.material_name(item, m)).await);
        }
        WindowInput {
            item_id: item.into(),
            applicant: self.applicant(),
            applicant_user_id: Some(self.zhangwei.user_id.clone()),
            form: [("applicant_name".to_string(), self.zhangwei_name.clone())].into(),
            materials: ms,
        }
    }

    pub async fn state(&self, id: &str) -> CaseState {
        let row = self.row(id).await;
        CaseState::parse(&row.status).expect("state")
    }

    async fn row(&self, id: &str) -> CaseRow {
        self.app
            .store
            .read()
            .await
            .expect("read")
            .get_case(id)
            .await
            .expect("get")
            .expect("case")
    }

    /// Everything about a case that a refused transition must leave alone.
    pub async fn snapshot(
        &self,
        id: &str,
    ) -> (CaseRow, i64, usize, usize, usize, usize, usize, usize) {
        let mut tx = self.app.store.read().await.expect("read");
        let row = tx.get_case(id).await.expect("get").expect("case");
        (
            row,
            tx.ledger_head().await.expect("ledger head").0,
            tx.list_case_materials(id).await.expect("materials").len(),
            tx.list_case_events(id).await.expect("events").len(),
            tx.list_case_notices(id).await.expect("notices").len(),
            tx.list_case_opinions(id).await.expect("opinions").len(),
            tx.list_case_violations(id).await.expect("violations").len(),
            tx.list_case_parties(id).await.expect("parties").len(),
        )
    }

    /// The warnings raised, as `step:level`, sorted.
    pub async fn warnings(&self, id: &str) -> Vec<String> {
        self.app
            .store
            .read()
            .await
            .expect("read")
            .list_case_warnings(id)
            .await
            .expect("warnings")
            .into_iter()
            .map(|w| format!("{}:{}", w.step, w.level))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    /// Runs the job runner until nothing is left (delivers the outbox).
    pub async fn run_jobs(&self) {
        let r = yiwang_app::jobs::Runner::new(self.app.clone(), runner_config("t"));
        r.pass().await.expect("pass");
    }

    pub async fn inbox_titles(&self, user_id: &str) -> Vec<String> {
        self.app
            .store
            .read()
            .await
            .expect("read")
            .inbox_of_user(user_id, 100)
            .await
            .expect("inbox")
            .into_iter()
            .map(|i| i.title)
            .collect()
    }

    pub async fn finish(self, db: TestDb) {
        self.app.store.close().await;
        db.cleanup().await;
    }
}

pub fn runner_config(node: &str) -> RunnerConfig {
    RunnerConfig {
        node_id: node.into(),
        poll: std::time::Duration::from_millis(10),
        checkpoint_every: std::time::Duration::from_secs(3600),
    }
}

/// The Problem a use case answered with; panics on success or an internal error.
pub fn problem<T>(r: AppResult<T>, what: &str) -> Problem {
    match r {
        Err(AppError::Problem(p)) => p,
        Err(e) => panic!("{what}: expected a Problem, got internal error {e}"),
        Ok(_) => panic!("{what}: expected a Problem, but it succeeded"),
    }
}

pub fn forbidden<T>(r: AppResult<T>, what: &str) {
    let p = problem(r, what);
    assert_eq!(p.kind, ProblemKind::Forbidden, "{what}: {p:?}");
}

pub async fn verify(app: &App) -> yiwang_app::audit::VerifyReport {
    let pk = app.platform_key().public_key_hex();
    yiwang_app::audit::verify(&app.store, &pk)
        .await
        .expect("audit verify runs")
}

/// Raw SQL on the test database, bypassing the store (simulates tampering).
pub async fn exec(db: &TestDb, sql: String) -> u64 {
    use sqlx::Connection;
    if db.backend == "postgres" {
        let mut c = sqlx::PgConnection::connect(&db.url).await.expect("connect");
        let r = sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut c)
            .await
            .expect("exec");
        let _ = c.close().await;
        r.rows_affected()
    } else {
        let mut c = sqlx::SqliteConnection::connect(&db.url)
            .await
            .expect("connect");
        let r = sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut c)
            .await
            .expect("exec");
        let _ = c.close().await;
        r.rows_affected()
    }
}
