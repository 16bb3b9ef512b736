//! The cases demo (办件): applications to the published items of the Suqian market regulator in
//! every state of the case lifecycle — drafts, submissions waiting at the window, 一次性告知
//! (one with a second notice and its supervision record), accepted cases in review, decided,
//! completed and delivered ones, refusals and withdrawals — some online by the demo citizen,
//! some registered at the window for walk-in applicants; and the deadline warnings of the day.
//!
//! Every case goes through the real use cases; form values are the documented samples of each
//! field kind (`FieldKind::sample_value`) and materials are small PDF files in the blob store.

use std::collections::BTreeMap;
use std::sync::Arc;

use yiwang_core::access::{Actor, Role};
use yiwang_core::cases::form::FieldKind;
use yiwang_core::cases::{Defect, ReviewPlan, Verdict};
use yiwang_core::catalog::{HandlingKind, ItemBody};

use crate::cases::apply::{
    self, ApplicantInput, DraftInput, MaterialInput, WindowInput, register_at_window,
};
use crate::cases::handle::{self, AcceptInput, DeliveryInput, NoticeInput, OpinionInput};
use crate::identity::actor_of;
use crate::{App, AppError, AppResult, now_micros};

/// What the cases demo made.
#[derive(Debug, Clone, Default)]
pub struct CasesDemo {
    pub cases: usize,
    pub warnings: String,
}

/// Name the demo step that failed.
fn at(step: &'static str) -> impl Fn(AppError) -> AppError {
    move |e| AppError::Internal(format!("cases demo, {step}: {e}"))
}

fn missing(what: &str) -> AppError {
    AppError::Internal(format!(
        "cases demo: {what} missing (run the base demo and the demo catalogue first)"
    ))
}

async fn user_actor(app: &App, username: &str) -> AppResult<Actor> {
    let mut tx = app.store.read().await?;
    let user = tx
        .find_user_by_username(username)
        .await?
        .ok_or_else(|| missing(username))?;
    actor_of(&mut *tx, &user).await
}

struct Demo<'a> {
    app: &'a App,
    citizen: Actor,
    citizen_name: String,
    citizen_id: String,
    window: Actor,
    approver: Actor,
    head: Actor,
}

fn form_of(body: &ItemBody) -> BTreeMap<String, String> {
    body.form_fields
        .iter()
        .map(|f| (f.key.clone(), FieldKind::of(f).sample_value().to_string()))
        .collect()
}

impl Demo<'_> {
    async fn material(&self, name: &str) -> AppResult<MaterialInput> {
        let content = format!("%PDF-1.4\n% 一网演示材料：{name}\n").into_bytes();
        let stored = self.app.blobs().put_bytes(content).await?;
        Ok(MaterialInput {
            material: name.into(),
            filename: format!("{name}.pdf"),
            content_type: "application/pdf".into(),
            digest: stored.digest,
        })
    }

    /// An online application by the demo citizen with every required material; submitted when
    /// `submit`, else left as a draft. Returns the case id.
    async fn online(&self, item_id: &str, body: &ItemBody, submit: bool) -> AppResult<String> {
        let draft = apply::save_draft(
            self.app,
            &self.citizen,
            None,
            DraftInput {
                item_id: item_id.into(),
                applicant: ApplicantInput::Natural {
                    name: self.citizen_name.clone(),
                    id_number: self.citizen_id.clone(),
                    mobile: FieldKind::Phone.sample_value().into(),
                },
                form: form_of(body),
            },
        )
        .await
        .map_err(at("save draft"))?;
        let id = draft.case.id;
        for m in body.materials.iter().filter(|m| m.required) {
            let input = self.material(&m.name).await?;
            apply::attach_material(self.app, &self.citizen, &id, input)
                .await
                .map_err(at("attach material"))?;
        }
        if submit {
            apply::submit(self.app, &self.citizen, &id)
                .await
                .map_err(at("submit"))?;
        }
        Ok(id)
    }

    /// A walk-in application registered at the window for `name`.
    async fn walk_in(
        &self,
        item_id: &str,
        body: &ItemBody,
        name: &str,
        serial: u32,
    ) -> AppResult<String> {
        let mut materials = Vec::new();
        for m in body.materials.iter().filter(|m| m.required) {
            materials.push(self.material(&m.name).await?);
        }
        let s = register_at_window(
            self.app,
            &self.window,
            WindowInput {
                item_id: item_id.into(),
                applicant: ApplicantInput::Natural {
                    name: name.into(),
                    id_number: super::demo_id_number("321302", "19800101", serial),
                    mobile: format!("139{serial:08}"),
                },
                applicant_user_id: None,
                form: form_of(body),
                materials,
            },
        )
        .await
        .map_err(at("register at the window"))?;
        Ok(s.case.case.id)
    }

    async fn accept(&self, id: &str) -> AppResult<()> {
        handle::accept(self.app, &self.window, id, AcceptInput::default())
            .await
            .map_err(at("accept"))?;
        Ok(())
    }

    /// Every review task's opinion, by the role it names.
    async fn opinions(&self, id: &str) -> AppResult<()> {
        let row = self
            .app
            .store
            .read()
            .await?
            .get_case(id)
            .await?
            .ok_or_else(|| missing("case"))?;
        let plan: ReviewPlan = match row.plan.as_deref() {
            Some(p) => serde_json::from_str(p).map_err(|e| AppError::Internal(e.to_string()))?,
            None => return Ok(()),
        };
        for task in plan.tasks() {
            let who = if task.role == Role::DepartmentHead {
                &self.head
            } else {
                &self.approver
            };
            handle::record_opinion(
                self.app,
                who,
                id,
                OpinionInput {
                    task: task.key.clone(),
                    verdict: Verdict::Agree,
                    comment: "材料齐全，符合法定形式，同意。".into(),
                },
            )
            .await
            .map_err(at("record opinion"))?;
        }
        Ok(())
    }

    async fn decide(&self, id: &str, approve: bool) -> AppResult<()> {
        self.opinions(id).await?;
        let text = if approve {
            "准予许可。"
        } else {
            "不符合法定条件，不予许可。"
        };
        handle::decide(self.app, &self.approver, id, approve, text)
            .await
            .map_err(at("decide"))?;
        Ok(())
    }
}

/// Build the cases demo on a database that holds the base demo and the demo catalogue.
pub async fn build(app: &Arc<App>) -> AppResult<CasesDemo> {
    let orgs = app.store.read().await?.list_organisations("").await?;
    let market = orgs
        .iter()
        .find(|o| o.name == "宿迁市市场监督管理局")
        .ok_or_else(|| missing("宿迁市市场监督管理局"))?
        .clone();
    let citizen_user = app
        .store
        .read()
        .await?
        .find_user_by_username("zhangwei")
        .await?
        .ok_or_else(|| missing("zhangwei"))?;
    let d = Demo {
        app,
        citizen: user_actor(app, "zhangwei").await?,
        citizen_name: citizen_user.display_name.clone(),
        citizen_id: citizen_user.id_number.clone().unwrap_or_default(),
        window: user_actor(app, "window").await?,
        approver: user_actor(app, "approver").await?,
        head: user_actor(app, "depthead").await?,
    };
    // The market regulator's published items, with their bodies.
    let mut items: Vec<(String, ItemBody)> = Vec::new();
    {
        let mut tx = app.store.read().await?;
        for item in tx.list_items(&market.path).await? {
            let (Some(v), true) = (item.published_version, item.org_id == market.id) else {
                continue;
            };
            if let Some(row) = tx.get_item_version(&item.id, v).await? {
                let body = crate::catalog::items::parse_body(&row)?;
                // Cases decided within a promised limit (即办件 are decided on acceptance).
                if body.handling_kind == HandlingKind::Promised {
                    items.push((item.id.clone(), body));
                }
            }
        }
    }
    items.sort_by(|a, b| a.1.code.as_str().cmp(b.1.code.as_str()));
    if items.len() < 4 {
        return Err(missing("published items of the market regulator"));
    }
    let item = |i: usize| &items[i % items.len()];
    let mut made = CasesDemo::default();
    let walk_ins = [
        "王芳",
        "李军",
        "刘洋洋",
        "陈晓东",
        "赵丽",
        "孙涛",
        "周敏",
        "吴磊",
    ];
    let mut serial = 200u32;

    for round in 0..3 {
        // Drafts and submissions waiting at the window.
        let (id, body) = item(round);
        d.online(id, body, false).await?;
        let (id, body) = item(round + 1);
        d.online(id, body, true).await?;
        // 一次性告知 waiting for the applicant.
        let (id, body) = item(round + 2);
        let c = d.online(id, body, true).await?;
        if let Some(m) = body.materials.iter().find(|m| m.required) {
            handle::request_correction(
                app,
                &d.window,
                &c,
                NoticeInput {
                    defects: vec![Defect {
                        material: m.name.clone(),
                        reason: "复印件不清晰，请重新上传".into(),
                    }],
                    reason: None,
                },
            )
            .await
            .map_err(at("一次性告知"))?;
        }
        // Accepted, in review (walk-ins at the window).
        for _ in 0..2 {
            let (id, body) = item(round + 3);
            serial += 1;
            let c = d
                .walk_in(id, body, walk_ins[serial as usize % walk_ins.len()], serial)
                .await?;
            d.accept(&c).await?;
        }
        // Decided, completed, delivered.
        let (id, body) = item(round + 4);
        let c = d.online(id, body, true).await?;
        d.accept(&c).await?;
        d.decide(&c, true).await?;
        let (id, body) = item(round + 5);
        serial += 1;
        let c = d
            .walk_in(id, body, walk_ins[serial as usize % walk_ins.len()], serial)
            .await?;
        d.accept(&c).await?;
        d.decide(&c, true).await?;
        handle::complete(app, &d.approver, &c)
            .await
            .map_err(at("complete"))?;
        let (id, body) = item(round + 6);
        let c = d.online(id, body, true).await?;
        d.accept(&c).await?;
        d.decide(&c, round != 1).await?;
        handle::complete(app, &d.approver, &c)
            .await
            .map_err(at("complete"))?;
        let delivery = match round {
            0 => DeliveryInput::Pickup,
            1 => DeliveryInput::Electronic,
            _ => DeliveryInput::Post {
                tracking_number: format!("SF12345678{round:02}"),
            },
        };
        handle::deliver(app, &d.window, &c, delivery)
            .await
            .map_err(at("deliver"))?;
        // Not accepted; withdrawn by the applicant.
        let (id, body) = item(round + 7);
        let c = d.online(id, body, true).await?;
        handle::not_accept(
            app,
            &d.window,
            &c,
            "申请事项不属于本机关职权范围，请向户籍所在地公安机关申请。",
        )
        .await
        .map_err(at("not accept"))?;
        let (id, body) = item(round + 8);
        let c = d.online(id, body, true).await?;
        apply::withdraw(app, &d.citizen, &c, Some("信息填写有误，撤回后重新申请。"))
            .await
            .map_err(at("withdraw"))?;
        made.cases += 11;
    }

    // A second notice naming a material that was there at the first: the officer gives a
    // reason, and it is recorded for supervision (电子监察).
    if let Some((id, body)) = items
        .iter()
        .find(|(_, b)| b.materials.iter().filter(|m| m.required).count() >= 2)
    {
        let required: Vec<&str> = body
            .materials
            .iter()
            .filter(|m| m.required)
            .map(|m| m.name.as_str())
            .collect();
        let c = d.online(id, body, true).await?;
        let notice = |material: &str, reason: Option<&str>| NoticeInput {
            defects: vec![Defect {
                material: material.into(),
                reason: "内容与原件不一致".into(),
            }],
            reason: reason.map(Into::into),
        };
        handle::request_correction(app, &d.window, &c, notice(required[0], None))
            .await
            .map_err(at("一次性告知"))?;
        let again = d.material(required[0]).await?;
        apply::attach_material(app, &d.citizen, &c, again)
            .await
            .map_err(at("attach material"))?;
        apply::supply_correction(app, &d.citizen, &c)
            .await
            .map_err(at("supply correction"))?;
        handle::request_correction(
            app,
            &d.window,
            &c,
            notice(
                required[1],
                Some("首次审查时未核对该材料的印章，现补充告知。"),
            ),
        )
        .await
        .map_err(at("一次性告知"))?;
        made.cases += 1;
    }

    // A walk-in for the item with the shortest promise, accepted: its deadline is near.
    if let Some((id, body)) = items.iter().min_by_key(|(_, b)| b.promised_limit_days) {
        serial += 1;
        let c = d
            .walk_in(id, body, walk_ins[serial as usize % walk_ins.len()], serial)
            .await?;
        d.accept(&c).await?;
        made.cases += 1;
    }

    // 并联审批: a joint case dispatched to the market regulator and the police the same day.
    if let Some(police) = orgs.iter().find(|o| o.name == "宿迁市公安局") {
        let (id, body) = item(9);
        serial += 1;
        let c = d
            .walk_in(id, body, walk_ins[serial as usize % walk_ins.len()], serial)
            .await?;
        handle::accept(
            app,
            &d.window,
            &c,
            AcceptInput {
                participants: vec![police.id.clone()],
            },
        )
        .await
        .map_err(at("accept a joint case"))?;
        made.cases += 1;
    }

    // The day's deadline warnings (a one-day item turns yellow on acceptance).
    let mut tx = app.store.write().await?;
    made.warnings = crate::cases::warnings::run_warnings(app, &mut *tx, now_micros()).await?;
    tx.commit().await?;
    crate::audit::checkpoint(app).await?;
    Ok(made)
}
