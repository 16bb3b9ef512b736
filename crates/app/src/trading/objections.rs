//! 异议 to the tender documents and the pause they cause (招标投标法实施条例 Art. 22): an objection
//! must come at least 10 days before the deadline and is answered within 3 days; before answering,
//! the tenderee pauses the tender (暂停), and when it resumes the deadline moves by the days paused.

use yiwang_core::Problem;
use yiwang_core::access::Actor;
use yiwang_core::trading::periods::violations_problem;
use yiwang_core::trading::schedule::{
    deadline_after_pause, objection_answer_due, objection_in_time,
};
use yiwang_core::trading::{
    PeriodRules, SectionEvent, SectionState, TradeField, TradeMethod, next_state,
};
use yiwang_store::{Objection, TradingSection};

use super::{
    bidder_grant, notify_org, performs, section_ctx, set_status, status_of, tender_grant, utc,
};
use crate::{Acting, App, AppError, AppResult, digest, new_id, record};

fn rules(s: &TradingSection) -> AppResult<PeriodRules> {
    let f = TradeField::parse(&s.field)
        .ok_or_else(|| AppError::Internal(format!("section {}: bad field", s.id)))?;
    let m = TradeMethod::parse(&s.method)
        .ok_or_else(|| AppError::Internal(format!("section {}: bad method", s.id)))?;
    PeriodRules::for_trade(f, m)
        .ok_or_else(|| AppError::Internal(format!("section {}: no period rules", s.id)))
}

fn check_text(body: &str) -> AppResult<String> {
    let body = body.trim();
    if body.is_empty() || body.chars().count() > 20_000 {
        return Err(Problem::invalid(
            "trading.objection.body",
            "内容不能为空且不超过20000个字符。",
            "The text must be 1 to 20000 characters.",
        )
        .into());
    }
    Ok(body.into())
}

/// A bidder raises an objection to the documents (server clock).
pub async fn raise_objection(
    app: &App,
    actor: &Actor,
    party_id: &str,
    section_id: &str,
    body: &str,
) -> AppResult<Objection> {
    raise_objection_at(app, actor, party_id, section_id, body, crate::now_micros()).await
}

/// A bidder raises an objection to the documents (server instant `now`).
pub async fn raise_objection_at(
    app: &App,
    actor: &Actor,
    party_id: &str,
    section_id: &str,
    body: &str,
    now: i64,
) -> AppResult<Objection> {
    let body = check_text(body)?;
    let mut tx = app.store.write().await?;
    let (party, grant) = bidder_grant(&mut *tx, actor, party_id).await?;
    let by = Acting::as_grant(actor, grant);
    let (s, project) = section_ctx(&mut *tx, section_id).await?;
    if status_of(&s)?.state != SectionState::Tendering {
        return Err(Problem::conflict(
            "trading.objection.closed",
            "标段不在招标期内。",
            "The section is not tendering.",
        )
        .into());
    }
    let rules = rules(&s)?;
    let cal = app.calendar();
    objection_in_time(
        &rules,
        utc(s.bid_deadline.unwrap_or(0)),
        utc(now),
        &cal.calendar,
    )
    .map_err(|v| violations_problem(&[v]))?;
    let o = Objection {
        id: new_id(),
        section_id: s.id.clone(),
        party_id: party.id.clone(),
        body,
        raised_at: now,
        answer_due: objection_answer_due(&rules, utc(now), &cal.calendar)
            .map(|t| t.timestamp_micros()),
        answer: None,
        answered_at: None,
    };
    tx.insert_objection(&o).await?;
    record(
        &mut *tx,
        &by,
        "trading.objection.raise",
        ("trading_section", &s.id),
        vec![digest(Objection::TABLE, &o.id, o.digest())],
        serde_json::json!({ "answer_due": o.answer_due }),
    )
    .await?;
    if let Some(t) = tx.get_party(&project.tenderee_id).await? {
        notify_org(
            &mut *tx,
            &t.org_id,
            "trading.objection.raised",
            serde_json::json!({
                "section": s.name,
                "due": o.answer_due.map(yiwang_core::time::display_local).unwrap_or_default(),
            }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(o)
}

/// The tenderee pauses the tender (暂停) now (server clock).
pub async fn suspend(app: &App, actor: &Actor, section_id: &str) -> AppResult<TradingSection> {
    suspend_at(app, actor, section_id, crate::now_micros()).await
}

/// The tenderee pauses the tender (暂停) at `now`, e.g. until it answers an objection.
pub async fn suspend_at(
    app: &App,
    actor: &Actor,
    section_id: &str,
    now: i64,
) -> AppResult<TradingSection> {
    let mut tx = app.store.write().await?;
    let (mut s, project) = section_ctx(&mut *tx, section_id).await?;
    let grant = tender_grant(&mut *tx, actor, &project).await?;
    performs(grant, SectionEvent::Suspend)?;
    let by = Acting::as_grant(actor, grant);
    let st = next_state(status_of(&s)?, SectionEvent::Suspend)?;
    set_status(&mut s, st);
    s.suspended_at = Some(now);
    s.updated_at = now;
    tx.update_section(&s).await?;
    record(
        &mut *tx,
        &by,
        "trading.section.suspend",
        ("trading_section", &s.id),
        vec![digest(TradingSection::TABLE, &s.id, s.digest())],
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(s)
}

/// [`answer_objection_at`] on the server clock.
pub async fn answer_objection(
    app: &App,
    actor: &Actor,
    objection_id: &str,
    answer: &str,
) -> AppResult<(Objection, TradingSection)> {
    answer_objection_at(app, actor, objection_id, answer, crate::now_micros()).await
}

/// The tenderee answers an objection; if the section was paused and no other objection is open,
/// it resumes and the deadline (and opening) move by the days paused.
pub async fn answer_objection_at(
    app: &App,
    actor: &Actor,
    objection_id: &str,
    answer: &str,
    now: i64,
) -> AppResult<(Objection, TradingSection)> {
    let answer = check_text(answer)?;
    let mut tx = app.store.write().await?;
    let mut o = tx
        .list_objections(None)
        .await?
        .into_iter()
        .find(|o| o.id == objection_id)
        .ok_or_else(|| Problem::not_found("异议", "Objection"))?;
    let (mut s, project) = section_ctx(&mut *tx, &o.section_id).await?;
    let grant = tender_grant(&mut *tx, actor, &project).await?;
    let by = Acting::as_grant(actor, grant);
    if o.answered_at.is_some() {
        return Err(Problem::conflict(
            "trading.objection.answered",
            "该异议已答复。",
            "The objection has been answered.",
        )
        .into());
    }
    o.answer = Some(answer);
    o.answered_at = Some(now);
    tx.update_objection(&o).await?;
    let mut rows = vec![digest(Objection::TABLE, &o.id, o.digest())];
    let others_open = tx
        .list_objections(Some(&s.id))
        .await?
        .iter()
        .any(|x| x.id != o.id && x.answered_at.is_none());
    let st = status_of(&s)?;
    if st.state == SectionState::Suspended
        && !others_open
        && performs(grant, SectionEvent::Resume).is_ok()
    {
        let resumed = next_state(st, SectionEvent::Resume)?;
        set_status(&mut s, resumed);
        if let (Some(deadline), Some(paused)) = (s.bid_deadline, s.suspended_at) {
            let moved = deadline_after_pause(
                utc(deadline),
                utc(paused),
                utc(now),
                &app.calendar().calendar,
            )
            .timestamp_micros();
            s.bid_deadline = Some(moved);
            s.opening_at = Some(moved);
        }
        s.suspended_at = None;
        s.updated_at = now;
        tx.update_section(&s).await?;
        super::opening::schedule_opening(&mut *tx, &s).await?;
        rows.push(digest(TradingSection::TABLE, &s.id, s.digest()));
    }
    record(
        &mut *tx,
        &by,
        "trading.objection.answer",
        ("trading_section", &s.id),
        rows,
        serde_json::json!({ "late": o.answer_due.is_some_and(|d| now >= d), "deadline": s.bid_deadline }),
    )
    .await?;
    if let Some(p) = tx.get_party(&o.party_id).await? {
        notify_org(
            &mut *tx,
            &p.org_id,
            "trading.objection.answered",
            serde_json::json!({ "section": s.name }),
        )
        .await?;
    }
    tx.commit().await?;
    Ok((o, s))
}
