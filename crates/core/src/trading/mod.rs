//! 公共资源交易: the pure rules of the trading core (DOMAIN Part 2, §2.1–2.3 and the archive,
//! e-ID and publication points of §2.5). No I/O and no clock: every instant is passed in, and the
//! store, use cases and pages apply these rules rather than restating them.
//!
//! | module | rules |
//! |---|---|
//! | [`fields`] | fields of trade, methods, award methods, which methods a field allows, mandatory-tender thresholds |
//! | [`code`] | 统一交易标识码 (the section's unique transaction code) and 标段（包）编号 |
//! | [`lifecycle`] | section states, events, who performs each, `next_state` |
//! | [`periods`] | legal periods (calendar/working days), minimum periods and caps per field and method, deposit cap |
//! | [`schedule`] | schedule check (every violation), earliest lawful deadline, clarification, objection and pause rules |
//! | [`publicity`] | candidate publicity, complaints, performance bond |
//! | [`deposits`] | deposit payments (basic account, amount, in time), refund due dates, same-account screen |
//! | [`bids`] | sealed-bid envelope, submit/replace/withdraw before the deadline, decryption gate, opening decision, decryption failures, receipts, opening record |
//! | [`sealing`] | the sealed-bid file, plaintext and bid-key formats (HPKE suite, two layers: bid key and custodian-wrapped key) |
//! | [`custody`] | the custodian key split k-of-n (Shamir over GF(2⁸)) |
//! | [`parties`] | party kinds, qualifications with expiry, temporary membership, bid eligibility, Art. 34 links |
//! | [`ocds`] | OCDS 1.1.5 releases for the tender, award and contract stages |
//! | [`archive`] | 一项目一档案: required documents per stage, completeness, e-ID milestones |
//! | [`clauses`] | 量体裁衣 checker: clauses of tender documents that restrict bidders unlawfully |

pub mod archive;
pub mod bids;
pub mod clauses;
pub mod code;
pub mod custody;
pub mod deposits;
pub mod fields;
pub mod lifecycle;
pub mod ocds;
pub mod parties;
pub mod periods;
pub mod publicity;
pub mod schedule;
pub mod sealing;
#[cfg(test)]
mod testutil;

pub use bids::{BidAction, BidEnvelope, BidReceipt, BidStatus, OpeningDecision};
pub use code::TransactionCode;
pub use fields::{AwardMethod, ProcurementCategory, TradeField, TradeMethod};
pub use lifecycle::{Performer, SectionEvent, SectionState, SectionStatus, next_state};
pub use periods::{PeriodRules, Violation};
pub use schedule::ProposedSchedule;
