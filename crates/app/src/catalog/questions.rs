//! 问: consultation. A signed-in person asks about an item; the department's staff answer in
//! their queue; a good answer can be published as an FAQ on the item page.

use std::sync::Arc;

use serde::Serialize;
use yiwang_core::Problem;
use yiwang_core::access::{self, Actor, Permission, Scope};
use yiwang_core::catalog::ItemStatus;
use yiwang_store::{CatalogItem, Question, Store};

use crate::notify::{self, Channel};
use crate::{Acting, AppResult, digest, new_id, now_micros, record};

fn text(field: &str, v: &str, max: usize) -> Result<String, Problem> {
    let t = v.trim();
    if t.is_empty() || t.chars().count() > max {
        return Err(Problem::invalid(
            format!("question.{field}"),
            format!("内容不能为空且不超过{max}个字符"),
            format!("The text must be 1 to {max} characters"),
        ));
    }
    Ok(t.to_string())
}

/// Ask a question on a published item.
pub async fn ask(
    store: &Arc<dyn Store>,
    actor: &Actor,
    item_id: &str,
    question: &str,
) -> AppResult<Question> {
    let question = text("question", question, 500)?;
    let mut tx = store.write().await?;
    let item = tx
        .get_item(item_id)
        .await?
        .filter(|i| i.published_version.is_some() && i.status != ItemStatus::Cancelled.as_str())
        .ok_or_else(|| Problem::not_found("事项", "Service item"))?;
    let q = Question {
        id: new_id(),
        item_id: item.id.clone(),
        asker_id: actor.user_id.clone(),
        question,
        answer: None,
        answered_by: None,
        status: "open".into(),
        faq: 0,
        created_at: now_micros(),
        answered_at: None,
    };
    tx.insert_question(&q).await?;
    record(
        &mut tx,
        &Acting::as_self(actor),
        "catalog.question.ask",
        ("catalog_question", &q.id),
        vec![digest(Question::TABLE, &q.id, q.digest())],
        serde_json::json!({ "item": item.id }),
    )
    .await?;
    tx.commit().await?;
    Ok(q)
}

/// Answer a question (staff of the item's organisation), optionally publishing it as an FAQ.
pub async fn answer(
    store: &Arc<dyn Store>,
    actor: &Actor,
    question_id: &str,
    answer: &str,
    publish_faq: bool,
) -> AppResult<Question> {
    let answer = text("answer", answer, 2000)?;
    let mut tx = store.write().await?;
    let mut q = tx
        .get_question(question_id)
        .await?
        .ok_or_else(|| Problem::not_found("咨询", "Question"))?;
    let item = tx
        .get_item(&q.item_id)
        .await?
        .ok_or_else(|| Problem::not_found("事项", "Service item"))?;
    let org = tx
        .get_organisation(&item.org_id)
        .await?
        .ok_or_else(|| Problem::not_found("机构", "Organisation"))?;
    let grant = access::authorize(actor, Permission::AnswerQuestions, Scope::Org(&org.path))
        .map_err(|_| Problem::not_found("咨询", "Question"))?;
    q.answer = Some(answer);
    q.answered_by = Some(actor.user_id.clone());
    q.status = "answered".into();
    q.faq = i64::from(publish_faq);
    q.answered_at = Some(now_micros());
    tx.update_question(&q).await?;
    record(
        &mut tx,
        &Acting::as_grant(actor, grant),
        "catalog.question.answer",
        ("catalog_question", &q.id),
        vec![digest(Question::TABLE, &q.id, q.digest())],
        serde_json::json!({ "faq": publish_faq }),
    )
    .await?;
    notify::queue(
        &mut tx,
        Channel::InApp,
        &q.asker_id,
        "question.answered",
        serde_json::json!({ "item": item.name }),
    )
    .await?;
    tx.commit().await?;
    Ok(q)
}

/// A question with its item, for the staff queue.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QueuedQuestion {
    pub question: Question,
    pub item: CatalogItem,
}

/// Open questions on items the actor may answer, oldest first.
pub async fn queue(store: &Arc<dyn Store>, actor: &Actor) -> AppResult<Vec<QueuedQuestion>> {
    let mut tx = store.read().await?;
    let mut out: Vec<QueuedQuestion> = Vec::new();
    for g in &actor.grants {
        if access::authorize(actor, Permission::AnswerQuestions, Scope::Org(&g.org_path)).is_err() {
            continue;
        }
        for q in tx.open_questions(&g.org_path, 200).await? {
            if out.iter().any(|x| x.question.id == q.id) {
                continue;
            }
            if let Some(item) = tx.get_item(&q.item_id).await? {
                // Non-supervising roles answer only for their own organisation.
                let org = tx.get_organisation(&item.org_id).await?;
                if org.is_some_and(|o| {
                    access::authorize(actor, Permission::AnswerQuestions, Scope::Org(&o.path))
                        .is_ok()
                }) {
                    out.push(QueuedQuestion { question: q, item });
                }
            }
        }
    }
    out.sort_by_key(|q| q.question.created_at);
    Ok(out)
}

/// Published FAQs of an item.
pub async fn faqs(store: &Arc<dyn Store>, item_id: &str) -> AppResult<Vec<Question>> {
    let mut tx = store.read().await?;
    Ok(tx
        .questions_of_item(item_id)
        .await?
        .into_iter()
        .filter(|q| q.faq == 1 && q.answer.is_some())
        .map(|mut q| {
            // The asker is personal data: never part of the public FAQ.
            q.asker_id = String::new();
            q.answered_by = None;
            q
        })
        .collect())
}

/// The caller's own questions.
pub async fn mine(store: &Arc<dyn Store>, actor: &Actor) -> AppResult<Vec<Question>> {
    let mut tx = store.read().await?;
    Ok(tx
        .list_questions()
        .await?
        .into_iter()
        .filter(|q| q.asker_id == actor.user_id)
        .collect())
}
