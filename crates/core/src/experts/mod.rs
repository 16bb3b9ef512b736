//! 专家库与随机抽取: the expert database and random, confidential, verifiable expert draws
//! (DOMAIN §2.4; issue #13). Pure rules only; the store, use cases and pages wire them up.
//!
//! 管用分离 (management separated from use): the managing industry department admits, suspends,
//! renews, dismisses experts and confirms exits ([`lifecycle`]); trading centres only draw
//! ([`request`], [`avoidance`], [`draw`](mod@draw)) and see what a draw needs ([`visibility`]).
//!
//! A draw, end to end:
//! 1. [`request::validate_request`] — committee composition and lines;
//! 2. [`avoidance::screen`] (or the same through an [`index::PoolIndex`] at scale) — the
//!    eligible pool per line and how many each rule removed;
//! 3. [`draw::DrawRecord::make`] — commit-reveal seed and the deterministic selection
//!    ([`draw`](mod@draw) documents the algorithm so that anyone can recompute it);
//! 4. [`roster::Roster`] — confirmations, check-in, and replacement from the reserve in order;
//! 5. [`draw::verify`] — after the evaluation, with the revealed secret.

pub mod avoidance;
pub mod draw;
pub mod expert;
pub mod index;
pub mod lifecycle;
pub mod request;
pub mod roster;
pub mod specialty;
pub mod visibility;

pub use avoidance::{
    AvoidanceConfig, AvoidanceRule, Candidate, Engagement, Funnel, LineScreening, RuleCount,
    Screener, SectionParties, ShortfallCause, screen,
};
pub use draw::{
    DrawRecord, DrawResult, DrawSecret, LedgerPositions, PoolSnapshot, check_positions, draw,
    verify,
};
pub use expert::{Expert, Profile};
pub use index::PoolIndex;
pub use lifecycle::{ExpertEvent, ExpertStatus, Performer, next_state};
pub use request::{CommitteeKind, CommitteeRules, DrawLine, DrawRequest, DrawStatus, PoolScope};
pub use roster::{Roster, SeatEvent, SeatState};
pub use specialty::{SpecialtyCode, SpecialtyTree};
pub use visibility::{DrawField, DrawPhase, DrawTimeline, DrawViewer, may_see, visible_fields};
