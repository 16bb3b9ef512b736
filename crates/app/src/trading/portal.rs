//! Reads for the trading pages: the public portal (search of published sections, a section's
//! public facts, the project e-ID 招投标电子身份证) and each signed-in role's own sections. No
//! state changes here; what a page shows is only what the use cases would let the viewer know
//! (who bid stays secret until the opening: [`yiwang_core::access::time_gate`]).

use yiwang_core::access::{self, Actor, Permission, Scope};
use yiwang_core::trading::archive::{ArchiveDocument, EidMilestone, eid_milestones};
use yiwang_core::trading::{BidStatus, SectionState};
use yiwang_store::prelude::*;
use yiwang_store::{Clarification, Deposit, Opening, SealedBid, TenderDocument};
pub use yiwang_store::{TradingParty, TradingProject, TradingSection};

use super::{centre_grant, org_path, section_ctx, tender_grant};
use crate::{App, AppResult, now_micros};

/// A filter of the announcements list: a keyword (matched in the section's, the project's name
/// and the codes), a field of trade and a state, each optional.
#[derive(Debug, Clone, Default)]
pub struct PortalQuery {
    pub keyword: String,
    pub field: Option<String>,
    pub state: Option<SectionState>,
}

fn matches(q: &PortalQuery, s: &TradingSection, p: Option<&TradingProject>) -> bool {
    let k = q.keyword.trim();
    let text_ok = k.is_empty()
        || k.split_whitespace().all(|w| {
            s.name.contains(w)
                || s.transaction_code.as_deref().unwrap_or("").contains(w)
                || p.is_some_and(|p| p.name.contains(w) || p.code.contains(w))
        });
    let field_ok = q.field.as_deref().is_none_or(|f| s.field == f);
    let state_ok = q
        .state
        .is_none_or(|st| SectionState::parse(&s.state) == Some(st));
    text_ok && field_ok && state_ok
}

/// 交易公告 search: the published sections matching `q`, newest notice first.
pub async fn search(
    app: &App,
    q: &PortalQuery,
) -> AppResult<Vec<(TradingSection, Option<TradingProject>)>> {
    Ok(super::published_sections(app)
        .await?
        .into_iter()
        .filter(|(s, p)| matches(q, s, p.as_ref()))
        .collect())
}

/// One bid as the opening shows it: the firm, the state of its bid, and price and duration once
/// decrypted. Only built after the opening instant.
#[derive(Debug, Clone)]
pub struct OpeningBid {
    pub party_id: String,
    pub bidder: String,
    pub status: BidStatus,
    pub price: Option<String>,
    pub duration_days: Option<i64>,
    pub ciphertext_digest: String,
}

/// What the public may know of a published section.
#[derive(Debug, Clone)]
pub struct PublicSection {
    pub section: TradingSection,
    pub project: Option<TradingProject>,
    /// Issued tender documents (metadata only; downloading needs a bidder's sign-in).
    pub documents: Vec<TenderDocument>,
    pub clarifications: Vec<Clarification>,
    /// The opening of the current round, once decided.
    pub opening: Option<Opening>,
    /// The bids of the opened round (empty before the opening instant).
    pub bids: Vec<OpeningBid>,
    /// Each e-ID milestone with whether it is reached.
    pub milestones: Vec<(EidMilestone, bool)>,
}

fn latest_per_party(bids: Vec<SealedBid>, round: i64) -> Vec<SealedBid> {
    let mut out: Vec<SealedBid> = Vec::new();
    for b in bids.into_iter().filter(|b| b.round == round) {
        if BidStatus::parse(&b.status) == Some(BidStatus::Superseded) {
            continue;
        }
        match out.iter_mut().find(|o| o.party_id == b.party_id) {
            Some(o) if (b.submitted_at, b.version) > (o.submitted_at, o.version) => *o = b,
            Some(_) => {}
            None => out.push(b),
        }
    }
    out.sort_by(|a, b| a.submitted_at.cmp(&b.submitted_at).then(a.id.cmp(&b.id)));
    out
}

/// The bids of the section's current round as the opening shows them; empty before the opening
/// instant (nobody may know who bid before).
async fn opening_bids(
    tx: &mut dyn ReadTx,
    s: &TradingSection,
    now: i64,
) -> AppResult<Vec<OpeningBid>> {
    if access::time_gate(s.opening_at, now).is_err()
        || SectionState::parse(&s.state) == Some(SectionState::Tendering)
    {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for b in latest_per_party(tx.list_bids(Some(&s.id)).await?, s.round) {
        let Some(status) = BidStatus::parse(&b.status) else {
            continue;
        };
        let bidder = tx
            .get_party(&b.party_id)
            .await?
            .map(|p| p.name)
            .unwrap_or_default();
        out.push(OpeningBid {
            party_id: b.party_id.clone(),
            bidder,
            status,
            price: b.price.clone(),
            duration_days: b.duration_days,
            ciphertext_digest: b.ciphertext_digest.clone(),
        });
    }
    Ok(out)
}

/// The milestones of the e-ID from what the section has reached.
fn milestones(s: &TradingSection, opening: Option<&Opening>) -> Vec<(EidMilestone, bool)> {
    let mut present = Vec::new();
    if s.transaction_code.is_some() {
        present.push(ArchiveDocument::ProjectApproval);
        present.push(ArchiveDocument::RegistrationForm);
    }
    if s.notice_at.is_some() {
        present.push(ArchiveDocument::TenderNotice);
    }
    // Opened: the session started (its record follows when the decryption window closes).
    let opened = |o: &Opening| {
        yiwang_core::trading::SectionEvent::parse(&o.outcome)
            == Some(yiwang_core::trading::SectionEvent::Open)
    };
    if opening.is_some_and(opened) {
        present.push(ArchiveDocument::OpeningRecord);
    }
    eid_milestones(&present, 0)
}

/// A published section with what the public may know of it; a section not yet published is not
/// found.
pub async fn public_section(app: &App, id: &str) -> AppResult<PublicSection> {
    let (section, project) = super::published_section(app, id).await?;
    let mut tx = app.store.read().await?;
    let documents = tx
        .list_documents(Some(&section.id))
        .await?
        .into_iter()
        .filter(|d| d.published_at.is_some())
        .collect();
    let clarifications = tx.list_clarifications(Some(&section.id)).await?;
    let opening = tx.get_opening(&section.id, section.round).await?;
    let bids = opening_bids(&mut *tx, &section, now_micros()).await?;
    let milestones = milestones(&section, opening.as_ref());
    Ok(PublicSection {
        section,
        project,
        documents,
        clarifications,
        opening,
        bids,
        milestones,
    })
}

/// The parties the actor acts for (its organisations' registrations), of every kind.
pub async fn my_parties(app: &App, actor: &Actor) -> AppResult<Vec<TradingParty>> {
    let mut tx = app.store.read().await?;
    Ok(tx
        .list_parties()
        .await?
        .into_iter()
        .filter(|p| actor.grants.iter().any(|g| g.org_id == p.org_id))
        .collect())
}

/// A section with its project, for the lists of the signed-in pages.
pub type SectionRow = (TradingSection, TradingProject);

async fn all_sections(tx: &mut dyn ReadTx) -> AppResult<Vec<SectionRow>> {
    let projects = tx.list_projects().await?;
    let mut out = Vec::new();
    for s in tx.list_sections(None).await? {
        if let Some(p) = projects.iter().find(|p| p.id == s.project_id) {
            out.push((s, p.clone()));
        }
    }
    out.sort_by(|a, b| {
        b.0.updated_at
            .cmp(&a.0.updated_at)
            .then(a.0.id.cmp(&b.0.id))
    });
    Ok(out)
}

/// The sections of the trading centres the actor works for (newest change first).
pub async fn centre_sections(app: &App, actor: &Actor) -> AppResult<Vec<SectionRow>> {
    let mut tx = app.store.read().await?;
    let mut out = Vec::new();
    for (s, p) in all_sections(&mut *tx).await? {
        if centre_grant(&mut *tx, actor, &p).await.is_ok() {
            out.push((s, p));
        }
    }
    Ok(out)
}

/// The sections whose tender the actor runs (tenderee's or agency's people).
pub async fn tender_sections(app: &App, actor: &Actor) -> AppResult<Vec<SectionRow>> {
    let mut tx = app.store.read().await?;
    let mut out = Vec::new();
    for (s, p) in all_sections(&mut *tx).await? {
        if tender_grant(&mut *tx, actor, &p).await.is_ok() {
            out.push((s, p));
        }
    }
    Ok(out)
}

/// A section as its tenderee, agency or centre staff manages it: with every document version.
pub async fn managed_section(
    app: &App,
    actor: &Actor,
    id: &str,
) -> AppResult<(SectionRow, Vec<TenderDocument>)> {
    let mut tx = app.store.read().await?;
    let (s, p) = section_ctx(&mut *tx, id).await?;
    if tender_grant(&mut *tx, actor, &p).await.is_err() {
        centre_grant(&mut *tx, actor, &p).await?;
    }
    let docs = tx.list_documents(Some(&s.id)).await?;
    Ok(((s, p), docs))
}

/// The trading centres a project may be registered with (every organisation of that kind).
pub async fn trading_centres(app: &App) -> AppResult<Vec<yiwang_store::Organisation>> {
    let mut tx = app.store.read().await?;
    Ok(tx
        .list_organisations("")
        .await?
        .into_iter()
        .filter(|o| o.kind == "trading_centre")
        .collect())
}

/// What a bidder sees of one section: its own bids, its deposit, whether it downloaded the
/// documents.
#[derive(Debug, Clone)]
pub struct BidderSection {
    pub section: TradingSection,
    pub project: Option<TradingProject>,
    pub bids: Vec<SealedBid>,
    pub deposit: Option<Deposit>,
    pub downloaded: bool,
}

/// The bidder party's view of a published section (refused to others than the party's people).
pub async fn bidder_section(
    app: &App,
    actor: &Actor,
    party_id: &str,
    section_id: &str,
) -> AppResult<BidderSection> {
    let (section, project) = super::published_section(app, section_id).await?;
    let mut tx = app.store.read().await?;
    let (party, _) = super::bidder_grant(&mut *tx, actor, party_id).await?;
    let mut bids: Vec<SealedBid> = tx
        .list_bids(Some(&section.id))
        .await?
        .into_iter()
        .filter(|b| b.party_id == party.id)
        .collect();
    bids.sort_by_key(|b| std::cmp::Reverse(b.submitted_at));
    let deposit = tx.get_deposit(&section.id, &party.id).await?;
    let downloaded = tx
        .list_downloads(Some(&section.id))
        .await?
        .iter()
        .any(|d| d.party_id == party.id);
    Ok(BidderSection {
        section,
        project,
        bids,
        deposit,
        downloaded,
    })
}

/// A lawful schedule proposed for publishing `s` at `now`: notice and documents from now, the
/// earliest lawful bid deadline at 09:30 Beijing time, documents until an hour before it. The
/// tenderee may move the dates later; publication checks them again.
pub fn proposed_schedule(
    app: &App,
    s: &TradingSection,
    now: i64,
) -> AppResult<super::tenders::ScheduleInput> {
    use yiwang_core::trading::{PeriodRules, TradeField, TradeMethod};
    let rules = TradeField::parse(&s.field)
        .zip(TradeMethod::parse(&s.method))
        .and_then(|(f, m)| PeriodRules::for_trade(f, m))
        .ok_or_else(|| crate::AppError::Internal(format!("section {}: no period rules", s.id)))?;
    let at = super::utc(now);
    let nine_thirty = chrono::NaiveTime::from_hms_opt(9, 30, 0).expect("09:30 is a time");
    let deadline = yiwang_core::trading::schedule::earliest_deadline(
        &rules,
        at,
        at,
        nine_thirty,
        &app.calendar().calendar,
    )
    .timestamp_micros();
    Ok(super::tenders::ScheduleInput {
        notice_at: now,
        documents_from: now,
        documents_until: deadline - 3_600_000_000,
        bid_deadline: deadline,
    })
}

/// Whether the actor may work for the organisation with `path` as a bidder.
pub fn may_bid_for(actor: &Actor, path: &str) -> bool {
    access::authorize(actor, Permission::Bid, Scope::Org(path)).is_ok()
}

/// The tree path of an organisation.
pub async fn organisation_path(app: &App, org_id: &str) -> AppResult<String> {
    let mut tx = app.store.read().await?;
    org_path(&mut *tx, org_id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(name: &str, field: &str, state: &str) -> TradingSection {
        TradingSection {
            id: "s".into(),
            project_id: "p".into(),
            number: 1,
            name: name.into(),
            transaction_code: Some("G32131120260101001001".into()),
            field: field.into(),
            sub_category: 1,
            method: "open_tender".into(),
            estimated_price: "1".into(),
            deposit: None,
            state: state.into(),
            resume_to: None,
            round: 1,
            notice_at: Some(1),
            documents_from: None,
            documents_until: None,
            bid_deadline: None,
            opening_at: None,
            suspended_at: None,
            accepted_at: None,
            accepted_by: None,
            created_at: 0,
            updated_at: 0,
            custodian_key: None,
        }
    }

    #[test]
    fn the_keyword_matches_names_and_codes_and_every_word_must_match() {
        let s = section("第二标段（桥梁工程）", "construction", "tendering");
        let q = |k: &str| PortalQuery {
            keyword: k.into(),
            ..Default::default()
        };
        assert!(matches(&q("桥梁"), &s, None));
        assert!(matches(&q("G3213"), &s, None));
        assert!(!matches(&q("桥梁 绿化"), &s, None));
        assert!(matches(&q(""), &s, None));
        let f = PortalQuery {
            field: Some("procurement".into()),
            ..Default::default()
        };
        assert!(!matches(&f, &s, None));
        let st = PortalQuery {
            state: Some(SectionState::Tendering),
            ..Default::default()
        };
        assert!(matches(&st, &s, None));
    }
}
