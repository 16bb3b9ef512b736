//! 一项目一档案: the documents the archive of a section must hold for the stages it went through,
//! a completeness check that names everything missing at once, and the milestones of the project
//! e-ID page (招投标电子身份证) (DOMAIN §2.5).
//!
//! The archive is kept per section and per tender round: a re-tendered section (流标 → 重新招标)
//! archives each round with its own facts. The store collects the documents automatically as the
//! events happen [004]; this module only says what must be there.

use serde::{Deserialize, Serialize};

use super::fields::TradeMethod;
use super::lifecycle::SectionState;
use crate::Problem;
use crate::enums::string_enum;

string_enum! {
    /// 档案材料
    ArchiveDocument {
        /// 项目审批（核准、备案）文件
        ProjectApproval = "project_approval", "项目审批（核准、备案）文件", "Project approval";
        /// 进场登记表
        RegistrationForm = "registration_form", "进场登记表", "Registration form";
        /// 招标公告（投标邀请书）
        TenderNotice = "tender_notice", "招标公告（投标邀请书）", "Tender notice or invitation";
        /// 招标文件
        TenderDocuments = "tender_documents", "招标文件", "Tender documents";
        /// 澄清与修改文件
        Clarifications = "clarifications", "澄清与修改文件", "Clarifications and amendments";
        /// 异议及答复
        ObjectionReplies = "objection_replies", "异议及答复", "Objections and replies";
        /// 招标文件下载记录
        DownloadLog = "download_log", "招标文件下载记录", "Document download log";
        /// 投标保证金缴纳记录
        DepositRecords = "deposit_records", "投标保证金缴纳记录", "Bid deposit payments";
        /// 投标回执
        BidReceipts = "bid_receipts", "投标回执", "Bid receipts";
        /// 投标文件（密文及解密后文件）
        BidFiles = "bid_files", "投标文件", "Bid files";
        /// 开标记录
        OpeningRecord = "opening_record", "开标记录", "Opening record";
        /// 流标公告
        FailureNotice = "failure_notice", "流标公告", "Failure notice";
        /// 评标专家抽取记录
        ExpertDrawRecord = "expert_draw_record", "评标专家抽取记录", "Expert draw record";
        /// 评标报告
        EvaluationReport = "evaluation_report", "评标报告", "Evaluation report";
        /// 竞价记录 (拍卖/挂牌)
        AuctionRecord = "auction_record", "竞价记录", "Auction record";
        /// 中标候选人公示
        CandidateNotice = "candidate_notice", "中标候选人公示", "Candidate notice";
        /// 中标结果公告（成交公告）
        AwardNotice = "award_notice", "中标结果公告", "Award notice";
        /// 中标通知书（成交确认书）
        AwardLetter = "award_letter", "中标通知书", "Letter of award";
        /// 合同及备案
        Contract = "contract", "合同及备案材料", "Contract and filing";
        /// 投标保证金退还记录
        DepositRefunds = "deposit_refunds", "投标保证金退还记录", "Bid deposit refunds";
        /// 终止公告
        TerminationNotice = "termination_notice", "终止公告", "Termination notice";
        /// 投诉处理决定
        ComplaintDecisions = "complaint_decisions", "投诉处理决定", "Complaint decisions";
    }
}

impl ArchiveDocument {
    /// Whether the document is published to everyone (portal, e-ID page); the others are for the
    /// parties, the centre and the regulators only. Bid files and the evaluation report are never
    /// public; the expert list stays secret (DOMAIN §2.4).
    pub fn is_public(self) -> bool {
        use ArchiveDocument as D;
        matches!(
            self,
            D::TenderNotice
                | D::TenderDocuments
                | D::Clarifications
                | D::OpeningRecord
                | D::FailureNotice
                | D::AuctionRecord
                | D::CandidateNotice
                | D::AwardNotice
                | D::Contract
                | D::TerminationNotice
        )
    }

    /// The OCDS `documentType` of a public document, where the codelist has one.
    pub fn ocds_document_type(self) -> Option<&'static str> {
        use ArchiveDocument as D;
        match self {
            D::TenderNotice => Some("tenderNotice"),
            D::TenderDocuments => Some("biddingDocuments"),
            D::Clarifications => Some("clarifications"),
            D::CandidateNotice => Some("evaluationReports"),
            D::AwardNotice => Some("awardNotice"),
            D::Contract => Some("contractSigned"),
            _ => None,
        }
    }
}

/// What happened in one tender round of a section, as far as the archive cares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveFacts {
    pub method: TradeMethod,
    /// Every state the round passed through (order does not matter; `Suspended` is ignored).
    pub reached: Vec<SectionState>,
    pub had_clarifications: bool,
    pub had_objections: bool,
    pub had_complaints: bool,
    /// Whether the documents asked for a bid deposit.
    pub deposits_required: bool,
    /// Bids received by the deadline (sealed, not withdrawn).
    pub bids_received: usize,
}

/// The documents the archive of a round must contain, in the order of the procedure.
///
/// - registration: approval and registration form;
/// - announced: the notice; tendering: the documents and the download log, plus clarifications,
///   objections and deposit payments when they happened;
/// - after the deadline (opened, or failed from tendering): the receipts of every bid received;
/// - opened: the opening record and the bid files; failed: the failure notice;
/// - evaluated (candidates published): expert draw, evaluation report and candidate notice — for
///   拍卖/挂牌 the auction record instead, there is no committee;
/// - awarded: award notice and letter; contracted: the contract, and the deposit refunds;
/// - cancelled: the termination notice, and the deposit refunds if deposits were paid;
/// - complaint decisions whenever there were complaints.
pub fn required_documents(facts: &ArchiveFacts) -> Vec<ArchiveDocument> {
    use ArchiveDocument as D;
    use SectionState as S;
    let reached = |s: S| facts.reached.contains(&s);
    let mut v = vec![D::ProjectApproval, D::RegistrationForm];
    if reached(S::Announced) {
        v.push(D::TenderNotice);
    }
    let tendered = reached(S::Tendering);
    if tendered {
        v.push(D::TenderDocuments);
        v.push(D::DownloadLog);
        if facts.had_clarifications {
            v.push(D::Clarifications);
        }
        if facts.had_objections {
            v.push(D::ObjectionReplies);
        }
        if facts.deposits_required && facts.bids_received > 0 {
            v.push(D::DepositRecords);
        }
    }
    let past_deadline = reached(S::Opened) || (tendered && reached(S::Failed));
    if past_deadline && facts.bids_received > 0 {
        v.push(D::BidReceipts);
    }
    if reached(S::Opened) {
        v.push(D::OpeningRecord);
        v.push(D::BidFiles);
    }
    if reached(S::Failed) {
        v.push(D::FailureNotice);
    }
    if reached(S::CandidatesPublished) || reached(S::Awarded) {
        if facts.method.is_auction_style() {
            v.push(D::AuctionRecord);
        } else {
            v.push(D::ExpertDrawRecord);
            v.push(D::EvaluationReport);
            v.push(D::CandidateNotice);
        }
    }
    if reached(S::Awarded) {
        v.push(D::AwardNotice);
        v.push(D::AwardLetter);
    }
    if reached(S::Contracted) {
        v.push(D::Contract);
    }
    let deposits_paid = tendered && facts.deposits_required && facts.bids_received > 0;
    if deposits_paid && (reached(S::Contracted) || reached(S::Cancelled) || reached(S::Failed)) {
        v.push(D::DepositRefunds);
    }
    if reached(S::Cancelled) {
        v.push(D::TerminationNotice);
    }
    if facts.had_complaints {
        v.push(D::ComplaintDecisions);
    }
    v
}

/// The required documents not in `present`, in procedure order.
pub fn missing_documents(
    facts: &ArchiveFacts,
    present: &[ArchiveDocument],
) -> Vec<ArchiveDocument> {
    required_documents(facts)
        .into_iter()
        .filter(|d| !present.contains(d))
        .collect()
}

/// Whether the archive may be closed: `Ok` if complete, otherwise one problem naming every
/// missing document (一次性告知), with their codes in `details.missing`.
pub fn check_archive(facts: &ArchiveFacts, present: &[ArchiveDocument]) -> Result<(), Problem> {
    let missing = missing_documents(facts, present);
    if missing.is_empty() {
        return Ok(());
    }
    let zh: Vec<&str> = missing.iter().map(|d| d.label_zh()).collect();
    let en: Vec<&str> = missing.iter().map(|d| d.label_en()).collect();
    Err(Problem::conflict(
        "trading.archive.incomplete",
        format!("档案不完整，缺少：{}。", zh.join("、")),
        format!("The archive is incomplete; missing: {}.", en.join(", ")),
    )
    .with_details(serde_json::json!({
        "missing": missing.iter().map(|d| d.as_str()).collect::<Vec<_>>()
    })))
}

string_enum! {
    /// 招投标电子身份证 milestones, in the order the public page shows them (DOMAIN §2.5).
    EidMilestone {
        Approval = "approval", "项目审批", "Approval";
        Announcement = "announcement", "招标公告", "Announcement";
        Opening = "opening", "开标", "Opening";
        Evaluation = "evaluation", "评标结果", "Evaluation result";
        Award = "award", "中标结果", "Award";
        Contract = "contract", "合同", "Contract";
        Performance = "performance", "履约", "Performance";
    }
}

/// Each e-ID milestone with whether it is reached, from the documents in the archive and the
/// number of performance (标后履约) records.
pub fn eid_milestones(
    present: &[ArchiveDocument],
    performance_records: usize,
) -> Vec<(EidMilestone, bool)> {
    use ArchiveDocument as D;
    let has = |d: D| present.contains(&d);
    EidMilestone::ALL
        .iter()
        .map(|&m| {
            let done = match m {
                EidMilestone::Approval => has(D::ProjectApproval),
                EidMilestone::Announcement => has(D::TenderNotice),
                EidMilestone::Opening => has(D::OpeningRecord),
                EidMilestone::Evaluation => has(D::CandidateNotice) || has(D::AuctionRecord),
                EidMilestone::Award => has(D::AwardNotice),
                EidMilestone::Contract => has(D::Contract),
                EidMilestone::Performance => performance_records > 0,
            };
            (m, done)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ArchiveDocument as D;
    use SectionState as S;
    use proptest::prelude::*;

    fn facts(reached: &[SectionState]) -> ArchiveFacts {
        ArchiveFacts {
            method: TradeMethod::OpenTender,
            reached: reached.to_vec(),
            had_clarifications: false,
            had_objections: false,
            had_complaints: false,
            deposits_required: true,
            bids_received: 5,
        }
    }

    const FULL: &[SectionState] = &[
        S::Registered,
        S::Announced,
        S::Tendering,
        S::Opened,
        S::Evaluating,
        S::CandidatesPublished,
        S::Awarded,
        S::Contracted,
        S::Archived,
    ];

    #[test]
    fn a_completed_tender_needs_every_stage() {
        let req = required_documents(&facts(FULL));
        assert_eq!(
            req,
            [
                D::ProjectApproval,
                D::RegistrationForm,
                D::TenderNotice,
                D::TenderDocuments,
                D::DownloadLog,
                D::DepositRecords,
                D::BidReceipts,
                D::OpeningRecord,
                D::BidFiles,
                D::ExpertDrawRecord,
                D::EvaluationReport,
                D::CandidateNotice,
                D::AwardNotice,
                D::AwardLetter,
                D::Contract,
                D::DepositRefunds,
            ]
        );
        assert!(check_archive(&facts(FULL), &req).is_ok());
    }

    #[test]
    fn missing_documents_are_named_at_once() {
        let present = [
            D::ProjectApproval,
            D::RegistrationForm,
            D::TenderNotice,
            D::TenderDocuments,
        ];
        let e = check_archive(&facts(FULL), &present).unwrap_err();
        assert_eq!(e.code, "trading.archive.incomplete");
        assert!(e.message.contains("开标记录、投标文件"));
        assert!(e.message_en.contains("Opening record"));
        let missing = e.details.unwrap()["missing"].as_array().unwrap().len();
        assert_eq!(missing, 12);
    }

    #[test]
    fn a_failed_tender_and_a_cancelled_one() {
        let mut f = facts(&[S::Registered, S::Announced, S::Tendering, S::Failed]);
        f.bids_received = 2;
        let req = required_documents(&f);
        assert!(req.contains(&D::FailureNotice));
        assert!(req.contains(&D::BidReceipts));
        assert!(req.contains(&D::DepositRefunds));
        assert!(!req.contains(&D::OpeningRecord));
        let f = facts(&[S::Registered, S::Cancelled, S::Archived]);
        assert_eq!(
            required_documents(&f),
            [
                D::ProjectApproval,
                D::RegistrationForm,
                D::TerminationNotice
            ]
        );
    }

    #[test]
    fn conditional_documents_follow_the_facts() {
        let mut f = facts(FULL);
        f.had_clarifications = true;
        f.had_objections = true;
        f.had_complaints = true;
        f.deposits_required = false;
        let req = required_documents(&f);
        assert!(req.contains(&D::Clarifications));
        assert!(req.contains(&D::ObjectionReplies));
        assert!(req.contains(&D::ComplaintDecisions));
        assert!(!req.contains(&D::DepositRecords));
        assert!(!req.contains(&D::DepositRefunds));
        f.method = TradeMethod::Auction;
        let req = required_documents(&f);
        assert!(req.contains(&D::AuctionRecord));
        assert!(!req.contains(&D::EvaluationReport));
    }

    #[test]
    fn public_documents_and_e_id() {
        assert!(D::AwardNotice.is_public());
        assert!(!D::BidFiles.is_public());
        assert!(!D::ExpertDrawRecord.is_public());
        assert!(!D::EvaluationReport.is_public());
        for d in ArchiveDocument::ALL {
            if d.ocds_document_type().is_some() {
                assert!(d.is_public(), "{d}");
            }
        }
        let m = eid_milestones(&[D::ProjectApproval, D::TenderNotice, D::OpeningRecord], 0);
        let done: Vec<EidMilestone> = m.iter().filter(|x| x.1).map(|x| x.0).collect();
        assert_eq!(
            done,
            [
                EidMilestone::Approval,
                EidMilestone::Announcement,
                EidMilestone::Opening
            ]
        );
        assert_eq!(m.len(), EidMilestone::ALL.len());
        assert!(eid_milestones(&[], 1).last().unwrap().1);
    }

    proptest! {
        #[test]
        fn further_stages_never_need_fewer_documents(cut in 1usize..FULL.len(), clar in any::<bool>(), obj in any::<bool>(), bids in 0usize..6) {
            let mut a = facts(&FULL[..cut]);
            a.had_clarifications = clar;
            a.had_objections = obj;
            a.bids_received = bids;
            let mut b = a.clone();
            b.reached = FULL[..=cut.min(FULL.len() - 1)].to_vec();
            let ra = required_documents(&a);
            let rb = required_documents(&b);
            for d in &ra {
                prop_assert!(rb.contains(d), "{d} dropped");
            }
            // No duplicates, and the archive of exactly the required documents is complete.
            let set: std::collections::BTreeSet<_> = rb.iter().collect();
            prop_assert_eq!(set.len(), rb.len());
            prop_assert!(check_archive(&b, &rb).is_ok());
        }
    }
}
