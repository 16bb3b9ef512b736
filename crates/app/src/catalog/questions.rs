//! 问: consultation. A signed-in person asks about an item; the department's staff answer in
//! their queue; a good answer can be published as an FAQ on the item page.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use yiwang_core::Problem;
use yiwang_core::access::{self, Actor, Permission, Scope};
use yiwang_core::catalog::lifecycle::{already_answered, answer_question};
use yiwang_core::catalog::{ItemStatus, QuestionStatus};
use yiwang_core::privacy::{self, PersonalDataKind};
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
        status: QuestionStatus::Open.as_str().into(),
        faq: 0,
        created_at: now_micros(),
        answered_at: None,
        public_question: None,
        public_answer: None,
    };
    tx.insert_question(&q).await?;
    record(
        &mut *tx,
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

/// A staff answer: the private answer to the asker and, to publish it as an FAQ, the public
/// wording of the question and the answer.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct AnswerInput {
    /// The answer to the asker, readable only by the asker (我的咨询) and staff. 1 to 2000
    /// characters once trimmed.
    #[schema(min_length = 1, max_length = 2000)]
    pub answer: String,
    /// Publish the question and answer as an FAQ on the item page.
    #[serde(default)]
    pub publish_faq: bool,
    /// The question as it is to be published (default: the asker's question). Must contain no
    /// personal data. 1 to 500 characters once trimmed.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 500)]
    pub public_question: Option<String>,
    /// The answer as it is to be published (default: the private answer). Must contain no
    /// personal data. 1 to 2000 characters once trimmed.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 2000)]
    pub public_answer: Option<String>,
}

/// One piece of personal data found in a public wording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PrivacyFinding {
    /// `public_question` or `public_answer`.
    pub field: String,
    /// id_number | mobile | landline | email | plate | bank_card | address | name
    pub kind: String,
    pub label: String,
    pub label_en: String,
    /// Character offsets (Unicode scalar values) of the finding in the field.
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// The personal data found in a public wording, field by field.
pub fn privacy_findings(field: &str, text: &str) -> Vec<PrivacyFinding> {
    privacy::detect(text)
        .into_iter()
        .map(|f| PrivacyFinding {
            field: field.into(),
            kind: f.kind.code().into(),
            label: f.kind.label_zh().into(),
            label_en: f.kind.label_en().into(),
            start: text[..f.start].chars().count(),
            end: text[..f.end].chars().count(),
            text: text[f.start..f.end].into(),
        })
        .collect()
}

/// The error for a public wording that still contains personal data: 422
/// `question.personal_data`, listing the kinds found (details: `kinds` and `findings`).
pub fn personal_data_problem(findings: &[PrivacyFinding]) -> Problem {
    let mut kinds: Vec<PersonalDataKind> = Vec::new();
    for f in findings {
        if let Some(k) = ALL_KINDS.iter().find(|k| k.code() == f.kind)
            && !kinds.contains(k)
        {
            kinds.push(*k);
        }
    }
    kinds.sort();
    let zh: Vec<&str> = kinds.iter().map(|k| k.label_zh()).collect();
    let en: Vec<&str> = kinds.iter().map(|k| k.label_en()).collect();
    let mut p = Problem::invalid(
        "question.personal_data",
        format!(
            "公开内容含有个人信息({}),请删除或改写后再作为常见问题公开。",
            zh.join("、")
        ),
        format!(
            "The public wording contains personal data ({}); remove it before publishing as an FAQ.",
            en.join(", ")
        ),
    );
    p.details = Some(serde_json::json!({
        "kinds": kinds.iter().map(|k| k.code()).collect::<Vec<_>>(),
        "findings": findings,
    }));
    p
}

const ALL_KINDS: [PersonalDataKind; 8] = [
    PersonalDataKind::IdNumber,
    PersonalDataKind::Mobile,
    PersonalDataKind::Landline,
    PersonalDataKind::Email,
    PersonalDataKind::Plate,
    PersonalDataKind::BankCard,
    PersonalDataKind::Address,
    PersonalDataKind::Name,
];

/// Answer a question (staff of the item's organisation), optionally publishing it as an FAQ.
///
/// The asker reads the private answer in 我的咨询 and is notified. An FAQ publishes only the
/// public wording, which must pass the personal-data detector (`core::privacy`); otherwise the
/// answer is refused with 422 `question.personal_data` and nothing is stored.
pub async fn answer(
    store: &Arc<dyn Store>,
    actor: &Actor,
    question_id: &str,
    input: &AnswerInput,
) -> AppResult<Question> {
    let answer = text("answer", &input.answer, 2000)?;
    let mut tx = store.write().await?;
    let mut q = tx
        .get_question(question_id)
        .await?
        .ok_or_else(|| Problem::not_found("咨询", "Question"))?;
    let from = crate::parse_stored(
        QuestionStatus::parse,
        Question::TABLE,
        &q.id,
        "status",
        &q.status,
    )?;
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
    let (public_question, public_answer) = if input.publish_faq {
        let pq = text(
            "public_question",
            input.public_question.as_deref().unwrap_or(&q.question),
            500,
        )?;
        let pa = text(
            "public_answer",
            input.public_answer.as_deref().unwrap_or(&answer),
            2000,
        )?;
        let mut findings = privacy_findings("public_question", &pq);
        findings.extend(privacy_findings("public_answer", &pa));
        if !findings.is_empty() {
            return Err(personal_data_problem(&findings).into());
        }
        (Some(pq), Some(pa))
    } else {
        (None, None)
    };
    let publish_faq = input.publish_faq;
    q.answer = Some(answer);
    q.answered_by = Some(actor.user_id.clone());
    let to = answer_question(from)?;
    q.status = to.as_str().into();
    q.faq = i64::from(publish_faq);
    q.answered_at = Some(now_micros());
    q.public_question = public_question;
    q.public_answer = public_answer;
    if !tx.update_question(&q, from.as_str()).await? {
        // Another node answered it between our read and our write.
        return Err(already_answered().into());
    }
    record(
        &mut *tx,
        &Acting::as_grant(actor, grant),
        "catalog.question.answer",
        ("catalog_question", &q.id),
        vec![digest(Question::TABLE, &q.id, q.digest())],
        serde_json::json!({ "faq": publish_faq }),
    )
    .await?;
    notify::queue(
        &mut *tx,
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

/// Published FAQs of an item: only the public wording, never the asker's text or the private
/// answer. An FAQ published before the public wording existed (no public wording stored) is shown
/// only if its text passes the personal-data detector.
pub async fn faqs(store: &Arc<dyn Store>, item_id: &str) -> AppResult<Vec<Question>> {
    let mut tx = store.read().await?;
    Ok(tx
        .questions_of_item(item_id)
        .await?
        .into_iter()
        .filter(|q| q.faq == 1 && q.answer.is_some())
        .filter_map(|mut q| {
            let (pq, pa) = match (q.public_question.take(), q.public_answer.take()) {
                (Some(pq), Some(pa)) => (pq, pa),
                _ => {
                    let a = q.answer.clone().unwrap_or_default();
                    if !privacy::detect(&q.question).is_empty() || !privacy::detect(&a).is_empty() {
                        return None;
                    }
                    (q.question.clone(), a)
                }
            };
            q.question = pq.clone();
            q.answer = Some(pa.clone());
            q.public_question = Some(pq);
            q.public_answer = Some(pa);
            // The asker is personal data: never part of the public FAQ.
            q.asker_id = String::new();
            q.answered_by = None;
            Some(q)
        })
        .collect())
}

/// One of the asker's own questions (我的咨询), with the private answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MyQuestion {
    pub id: String,
    pub item_id: String,
    pub item_name: String,
    /// The question as asked.
    pub question: String,
    /// The answer to the asker (private).
    pub answer: Option<String>,
    /// open | answered
    pub status: String,
    /// Whether a reworded version is published as an FAQ.
    pub published_as_faq: bool,
    pub created_at: yiwang_core::time::Micros,
    pub answered_at: Option<yiwang_core::time::Micros>,
}

/// The caller's own questions with their private answers, newest first. Nobody else's.
pub async fn mine(store: &Arc<dyn Store>, actor: &Actor) -> AppResult<Vec<MyQuestion>> {
    let mut tx = store.read().await?;
    let mut out = Vec::new();
    for q in tx.questions_of_asker(&actor.user_id).await? {
        let item_name = tx
            .get_item(&q.item_id)
            .await?
            .map(|i| i.name)
            .unwrap_or_default();
        out.push(MyQuestion {
            id: q.id,
            item_id: q.item_id,
            item_name,
            question: q.question,
            answer: q.answer,
            status: q.status,
            published_as_faq: q.faq == 1,
            created_at: q.created_at,
            answered_at: q.answered_at,
        });
    }
    Ok(out)
}
