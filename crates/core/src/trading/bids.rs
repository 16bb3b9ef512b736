//! 电子投标: the rules of sealed electronic bids (DOMAIN §2.3) — what an envelope carries, when a
//! bid may be submitted, replaced or withdrawn, when it may be decrypted, how many valid bids an
//! opening needs, how a failed decryption is classified, and what a receipt names.
//!
//! Crypto is not here: the envelope carries the digest of the ciphertext the bidder sealed (HPKE on
//! the bidder's side), never the content. Instants are the server's clock, passed in.

use chrono::{DateTime, TimeDelta, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::fields::TradeMethod;
use super::lifecycle::SectionState;
use crate::Problem;
use crate::enums::string_enum;
use crate::ids::CreditCode;

string_enum! {
    /// Hash algorithm of a digest. SM3 is the platform's (GB/T 32905, as the ledger uses); SHA-256
    /// is accepted from clients that seal with WebCrypto, which has no SM3.
    DigestAlgorithm {
        Sm3 = "sm3", "SM3", "SM3";
        Sha256 = "sha256", "SHA-256", "SHA-256";
    }
}

/// A content digest: algorithm and 64 lower-case hex characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Digest {
    pub algorithm: DigestAlgorithm,
    pub hex: String,
}

impl Digest {
    pub fn parse(algorithm: DigestAlgorithm, hex: &str) -> Result<Self, Problem> {
        let h = hex.trim().to_ascii_lowercase();
        if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Problem::invalid(
                "trading.bid.digest",
                "摘要应为64位十六进制字符。",
                "A digest is 64 hexadecimal characters.",
            ));
        }
        Ok(Digest { algorithm, hex: h })
    }

    /// `sm3:…` / `sha256:…`
    pub fn to_text(&self) -> String {
        format!("{}:{}", self.algorithm.as_str(), self.hex)
    }
}

/// 投标文件信封: what the platform keeps about a sealed bid — never its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidEnvelope {
    /// The section (its 统一交易标识码 or store id).
    pub section: String,
    /// The bidder's 统一社会信用代码.
    pub bidder: CreditCode,
    /// Digest of the sealed (encrypted) file as stored in the blob store.
    pub ciphertext_digest: Digest,
    /// Size of the sealed file in bytes.
    pub size: u64,
    /// When the server accepted it (server clock).
    pub submitted_at: DateTime<Utc>,
    /// 1 for the first submission, +1 for every replacement.
    pub version: u32,
}

string_enum! {
    /// 投标文件状态
    BidStatus {
        /// 已递交（密封）: sealed, counts for the opening.
        Sealed = "sealed", "已递交", "Sealed";
        /// 已被替换: superseded by a later version before the deadline.
        Superseded = "superseded", "已替换", "Superseded";
        /// 已撤回: withdrawn before the deadline (条例 Art. 35), or not decrypted through no fault
        /// of the bidder (电子招标投标办法 Art. 31): the deposit is refunded.
        Withdrawn = "withdrawn", "已撤回", "Withdrawn";
        /// 已解密: decrypted at the opening; a valid bid for the count.
        Decrypted = "decrypted", "已解密", "Decrypted";
        /// 视为撤销: not decrypted through the bidder's fault (电子招标投标办法 Art. 31); the deposit
        /// may be kept (条例 Art. 35).
        Revoked = "revoked", "视为撤销", "Revoked";
    }
}

impl BidStatus {
    /// Whether the bid still takes part (before opening: sealed; after: decrypted).
    pub fn is_live(self) -> bool {
        matches!(self, BidStatus::Sealed | BidStatus::Decrypted)
    }

    /// Whether the deposit of a bid ending in this status is refunded in full.
    pub fn deposit_refundable(self) -> bool {
        self != BidStatus::Revoked
    }
}

string_enum! {
    /// What a bidder does with its bid.
    BidAction {
        Submit = "submit", "递交", "Submit";
        Replace = "replace", "替换", "Replace";
        Withdraw = "withdraw", "撤回", "Withdraw";
    }
}

/// Size limits of a sealed bid file, in bytes (configurable; 0 is never a bid).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidLimits {
    pub max_size: u64,
}

impl Default for BidLimits {
    /// 200 MB: large enough for drawings and scanned qualifications, small enough for the burst.
    fn default() -> Self {
        BidLimits {
            max_size: 200 * 1024 * 1024,
        }
    }
}

fn late() -> Problem {
    Problem::conflict(
        "trading.bid.late",
        "投标截止时间已到，不再接受递交、替换或撤回。",
        "The bid deadline has passed; bids can no longer be submitted, replaced or withdrawn.",
    )
}

/// Whether `action` is allowed now on a section in `state` with bid deadline `deadline`, given the
/// bidder's current bid (`None` if it has none live).
///
/// Late bids are refused by the server's clock (招标投标法 Art. 28, 条例 Art. 36): an action at or
/// after the deadline instant is late. A bidder has one live bid per section: a second submission
/// is a replacement.
pub fn check_bid_action(
    action: BidAction,
    state: SectionState,
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
    current: Option<BidStatus>,
) -> Result<(), Problem> {
    if now >= deadline {
        return Err(late());
    }
    if !state.accepts_bids() {
        return Err(Problem::conflict(
            "trading.bid.not_tendering",
            format!("标段当前为“{}”，不接受投标。", state.label_zh()),
            format!(
                "The section is {}; it does not accept bids.",
                state.label_en().to_lowercase()
            ),
        ));
    }
    let live = current == Some(BidStatus::Sealed);
    match (action, live) {
        (BidAction::Submit, false) | (BidAction::Replace | BidAction::Withdraw, true) => Ok(()),
        (BidAction::Submit, true) => Err(Problem::conflict(
            "trading.bid.exists",
            "已递交投标文件，如需修改请替换。",
            "A bid has already been submitted; replace it instead.",
        )),
        (_, false) => Err(Problem::conflict(
            "trading.bid.none",
            "没有可替换或撤回的投标文件。",
            "There is no submitted bid to replace or withdraw.",
        )),
    }
}

/// Checks an envelope the server is about to accept: size within limits, the bidder and section
/// as the caller said, and `submitted_at` the server's own `now`.
pub fn check_envelope(
    env: &BidEnvelope,
    limits: &BidLimits,
    now: DateTime<Utc>,
) -> Result<(), Problem> {
    if env.size == 0 {
        return Err(Problem::invalid(
            "trading.bid.empty",
            "投标文件为空。",
            "The bid file is empty.",
        ));
    }
    if env.size > limits.max_size {
        return Err(Problem::too_large(limits.max_size));
    }
    if env.submitted_at != now {
        return Err(Problem::invalid(
            "trading.bid.clock",
            "递交时间必须取自平台服务器时钟。",
            "The submission time must be the platform server's clock.",
        ));
    }
    if env.version == 0 {
        return Err(Problem::invalid(
            "trading.bid.version",
            "投标文件版本号从1开始。",
            "Bid versions start at 1.",
        ));
    }
    Ok(())
}

/// Whether anyone may read or decrypt a bid now (the time-gated scope): only once the section has
/// been opened and the opening instant has passed. Before that no API returns a bid, to anyone
/// (电子招标投标办法: nobody may decrypt or extract a bid before the deadline).
pub fn check_decryption(
    state: SectionState,
    opening_at: DateTime<Utc>,
    window: TimeDelta,
    now: DateTime<Utc>,
) -> Result<(), Problem> {
    if now < opening_at || state == SectionState::Tendering || state == SectionState::Announced {
        return Err(Problem::new(
            crate::ProblemKind::Forbidden,
            "trading.bid.sealed",
            "开标前任何人不得解密或读取投标文件。",
            "Nobody may decrypt or read a bid before the opening.",
        ));
    }
    if state != SectionState::Opened {
        return Err(Problem::conflict(
            "trading.bid.not_opened",
            format!("标段当前为“{}”，不在开标解密阶段。", state.label_zh()),
            format!(
                "The section is {}; it is not in the opening session.",
                state.label_en().to_lowercase()
            ),
        ));
    }
    if now >= opening_at + window {
        return Err(Problem::conflict(
            "trading.bid.window_closed",
            "解密时间已过。",
            "The decryption window has closed.",
        ));
    }
    Ok(())
}

/// What happens at the bid deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpeningDecision {
    /// Enough bids: open and start the decryption session.
    Open,
    /// 流标: fewer bids than the method needs (3 for tenders, 招标投标法实施条例 Art. 44); no bid is
    /// decrypted, the section fails and may be re-tendered.
    Fail { found: usize, needed: usize },
}

/// The decision at the deadline, from the number of sealed bids.
pub fn opening_decision(method: TradeMethod, sealed_bids: usize) -> OpeningDecision {
    let needed = method.minimum_bids();
    if sealed_bids >= needed {
        OpeningDecision::Open
    } else {
        OpeningDecision::Fail {
            found: sealed_bids,
            needed,
        }
    }
}

/// The decision after the decryption window, from the number of bids actually decrypted: the same
/// minimum applies to valid bids (choice: a real platform does not evaluate two decrypted bids when
/// the third failed to decrypt; the committee would have no competition to judge).
pub fn after_decryption(method: TradeMethod, decrypted_bids: usize) -> OpeningDecision {
    opening_decision(method, decrypted_bids)
}

/// Why a bid could not be decrypted at the opening.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecryptionFailure {
    /// The bidder did not decrypt within the window, lost its key or certificate, or sealed a file
    /// that does not decrypt.
    BidderFault,
    /// The platform, the CA or the network failed.
    OtherCause,
}

/// 电子招标投标办法 Art. 31: the bidder's fault → 视为撤销 (deposit may be kept); any other cause → 视为
/// 撤回 (deposit refunded, the bidder may claim damages from whoever is responsible).
pub fn classify_decryption_failure(cause: DecryptionFailure) -> BidStatus {
    match cause {
        DecryptionFailure::BidderFault => BidStatus::Revoked,
        DecryptionFailure::OtherCause => BidStatus::Withdrawn,
    }
}

/// 投标回执: the body the platform signs and timestamps for every submission, replacement and
/// withdrawal. Its canonical text is what the signature and the ledger entry cover; the app adds
/// the signature and the ledger inclusion proof around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidReceipt {
    /// 回执编号
    pub receipt_no: String,
    pub action: BidAction,
    /// 统一交易标识码 of the section.
    pub transaction_code: String,
    pub bidder: CreditCode,
    pub version: u32,
    /// Digest of the sealed file this receipt acknowledges (for a withdrawal: the withdrawn one).
    pub ciphertext_digest: Digest,
    pub size: u64,
    /// Digest of the version this one replaces, for a replacement.
    pub replaces: Option<Digest>,
    /// The server's time of acceptance.
    pub accepted_at: DateTime<Utc>,
    /// The deadline in force at acceptance, so the receipt shows it was in time.
    pub deadline: DateTime<Utc>,
}

impl BidReceipt {
    /// The fields a receipt must name, in canonical order.
    pub const FIELDS: &'static [&'static str] = &[
        "receipt_no",
        "action",
        "transaction_code",
        "bidder",
        "version",
        "ciphertext_digest",
        "size",
        "replaces",
        "accepted_at",
        "deadline",
    ];

    /// One `name=value` line per field of [`BidReceipt::FIELDS`], instants in RFC 3339 UTC with
    /// microseconds; what is signed. Values never contain a line break (all are codes, digests,
    /// numbers or instants).
    pub fn canonical_text(&self) -> String {
        let t = |d: DateTime<Utc>| crate::time::rfc3339_micros(d.timestamp_micros());
        let values = [
            self.receipt_no.replace(['\n', '\r'], " "),
            self.action.as_str().to_string(),
            self.transaction_code.clone(),
            self.bidder.as_str().to_string(),
            self.version.to_string(),
            self.ciphertext_digest.to_text(),
            self.size.to_string(),
            self.replaces
                .as_ref()
                .map(Digest::to_text)
                .unwrap_or_default(),
            t(self.accepted_at),
            t(self.deadline),
        ];
        let mut out = String::new();
        for (k, v) in Self::FIELDS.iter().zip(values) {
            out.push_str(k);
            out.push('=');
            out.push_str(&v);
            out.push('\n');
        }
        out
    }

    /// Checks a receipt is coherent: accepted before the deadline, a replacement names what it
    /// replaces and is version 2 or later, a first submission is version 1.
    pub fn check(&self) -> Result<(), Problem> {
        let bad = |zh: &str, en: &str| Err(Problem::invalid("trading.receipt", zh, en));
        if self.accepted_at >= self.deadline {
            return bad(
                "回执时间不早于投标截止时间。",
                "The receipt is not before the deadline.",
            );
        }
        match (self.action, &self.replaces, self.version) {
            (BidAction::Submit, None, 1) => Ok(()),
            (BidAction::Replace, Some(_), v) if v >= 2 => Ok(()),
            (BidAction::Withdraw, None, v) if v >= 1 => Ok(()),
            _ => bad(
                "回执的操作、版本与被替换文件不一致。",
                "The receipt's action, version and replaced digest do not agree.",
            ),
        }
    }
}

/// One line of the 开标记录 published after the decryption session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningLine {
    pub bidder: CreditCode,
    pub bidder_name: String,
    pub status: BidStatus,
    /// 投标报价, yuan; only for decrypted bids.
    pub price: Option<Decimal>,
    /// 工期/交货期, days; only for decrypted bids.
    pub duration_days: Option<u32>,
    pub ciphertext_digest: Digest,
}

/// Checks an opening record before it is signed and published: only decrypted bids show a price,
/// every decrypted bid shows one, and nothing but decrypted, revoked or withdrawn bids appear.
pub fn check_opening_record(lines: &[OpeningLine]) -> Result<(), Problem> {
    for l in lines {
        let ok = match l.status {
            BidStatus::Decrypted => l.price.is_some_and(|p| p >= Decimal::ZERO),
            BidStatus::Revoked | BidStatus::Withdrawn => {
                l.price.is_none() && l.duration_days.is_none()
            }
            BidStatus::Sealed | BidStatus::Superseded => false,
        };
        if !ok {
            return Err(Problem::invalid(
                "trading.opening_record",
                format!("开标记录中{}的状态与报价不一致。", l.bidder_name),
                format!(
                    "The opening record line of {} has a status and price that do not agree.",
                    l.bidder
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use SectionState as S;
    use proptest::prelude::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn deadline() -> DateTime<Utc> {
        t("2026-03-23T01:30:00Z")
    }

    fn bidder() -> CreditCode {
        CreditCode::parse("91350100M000100Y43").unwrap()
    }

    fn digest(c: char) -> Digest {
        Digest::parse(DigestAlgorithm::Sm3, &c.to_string().repeat(64)).unwrap()
    }

    #[test]
    fn bids_only_before_the_deadline_and_only_while_tendering() {
        let before = deadline() - TimeDelta::microseconds(1);
        assert!(
            check_bid_action(BidAction::Submit, S::Tendering, deadline(), before, None).is_ok()
        );
        for a in BidAction::ALL {
            let e = check_bid_action(
                *a,
                S::Tendering,
                deadline(),
                deadline(),
                Some(BidStatus::Sealed),
            )
            .unwrap_err();
            assert_eq!(e.code, "trading.bid.late", "{a}");
        }
        let e = check_bid_action(BidAction::Submit, S::Suspended, deadline(), before, None)
            .unwrap_err();
        assert_eq!(e.code, "trading.bid.not_tendering");
        assert!(
            check_bid_action(BidAction::Submit, S::Announced, deadline(), before, None).is_err()
        );
    }

    #[test]
    fn one_live_bid_per_bidder() {
        let before = deadline() - TimeDelta::hours(1);
        let live = Some(BidStatus::Sealed);
        assert_eq!(
            check_bid_action(BidAction::Submit, S::Tendering, deadline(), before, live)
                .unwrap_err()
                .code,
            "trading.bid.exists"
        );
        assert!(
            check_bid_action(BidAction::Replace, S::Tendering, deadline(), before, live).is_ok()
        );
        assert!(
            check_bid_action(BidAction::Withdraw, S::Tendering, deadline(), before, live).is_ok()
        );
        assert_eq!(
            check_bid_action(BidAction::Withdraw, S::Tendering, deadline(), before, None)
                .unwrap_err()
                .code,
            "trading.bid.none"
        );
        // After a withdrawal the bidder may submit again before the deadline.
        assert!(
            check_bid_action(
                BidAction::Submit,
                S::Tendering,
                deadline(),
                before,
                Some(BidStatus::Withdrawn)
            )
            .is_ok()
        );
    }

    #[test]
    fn envelopes_are_checked() {
        let now = deadline() - TimeDelta::hours(1);
        let mut env = BidEnvelope {
            section: "A01-123100007847653857-20261203-000001-X".into(),
            bidder: bidder(),
            ciphertext_digest: digest('a'),
            size: 256 * 1024,
            submitted_at: now,
            version: 1,
        };
        assert!(check_envelope(&env, &BidLimits::default(), now).is_ok());
        assert_eq!(
            check_envelope(&env, &BidLimits::default(), now + TimeDelta::seconds(1))
                .unwrap_err()
                .code,
            "trading.bid.clock"
        );
        assert_eq!(
            check_envelope(&env, &BidLimits { max_size: 1024 }, now)
                .unwrap_err()
                .code,
            "too_large"
        );
        env.size = 0;
        assert_eq!(
            check_envelope(&env, &BidLimits::default(), now)
                .unwrap_err()
                .code,
            "trading.bid.empty"
        );
        assert!(Digest::parse(DigestAlgorithm::Sha256, "xyz").is_err());
        assert_eq!(
            Digest::parse(DigestAlgorithm::Sha256, &"AB".repeat(32))
                .unwrap()
                .hex,
            "ab".repeat(32)
        );
    }

    #[test]
    fn nobody_decrypts_before_the_opening() {
        let w = TimeDelta::minutes(60);
        let e = check_decryption(
            S::Tendering,
            deadline(),
            w,
            deadline() - TimeDelta::seconds(1),
        )
        .unwrap_err();
        assert_eq!(e.code, "trading.bid.sealed");
        assert_eq!(e.kind, crate::ProblemKind::Forbidden);
        // Even if the state were already moved, the clock decides.
        assert!(
            check_decryption(S::Opened, deadline(), w, deadline() - TimeDelta::seconds(1)).is_err()
        );
        assert!(check_decryption(S::Opened, deadline(), w, deadline()).is_ok());
        assert_eq!(
            check_decryption(S::Opened, deadline(), w, deadline() + w)
                .unwrap_err()
                .code,
            "trading.bid.window_closed"
        );
        assert_eq!(
            check_decryption(S::Failed, deadline(), w, deadline())
                .unwrap_err()
                .code,
            "trading.bid.not_opened"
        );
    }

    #[test]
    fn fewer_than_three_bids_fail_the_tender() {
        assert_eq!(
            opening_decision(TradeMethod::OpenTender, 2),
            OpeningDecision::Fail {
                found: 2,
                needed: 3
            }
        );
        assert_eq!(
            opening_decision(TradeMethod::OpenTender, 3),
            OpeningDecision::Open
        );
        assert_eq!(
            opening_decision(TradeMethod::InvitedTender, 0),
            OpeningDecision::Fail {
                found: 0,
                needed: 3
            }
        );
        assert_eq!(
            after_decryption(TradeMethod::OpenTender, 2),
            OpeningDecision::Fail {
                found: 2,
                needed: 3
            }
        );
        assert_eq!(
            opening_decision(TradeMethod::SingleSource, 1),
            OpeningDecision::Open
        );
    }

    #[test]
    fn decryption_failures_are_revoked_or_withdrawn() {
        assert_eq!(
            classify_decryption_failure(DecryptionFailure::BidderFault),
            BidStatus::Revoked
        );
        assert_eq!(
            classify_decryption_failure(DecryptionFailure::OtherCause),
            BidStatus::Withdrawn
        );
        assert!(!BidStatus::Revoked.deposit_refundable());
        assert!(BidStatus::Withdrawn.deposit_refundable());
    }

    fn receipt() -> BidReceipt {
        BidReceipt {
            receipt_no: "R-1".into(),
            action: BidAction::Replace,
            transaction_code: "A01-123100007847653857-20261203-000001-X".into(),
            bidder: bidder(),
            version: 2,
            ciphertext_digest: digest('b'),
            size: 10,
            replaces: Some(digest('a')),
            accepted_at: deadline() - TimeDelta::minutes(5),
            deadline: deadline(),
        }
    }

    #[test]
    fn receipts_name_every_field_in_order() {
        let r = receipt();
        assert!(r.check().is_ok());
        let text = r.canonical_text();
        let keys: Vec<&str> = text.lines().map(|l| l.split('=').next().unwrap()).collect();
        assert_eq!(keys, BidReceipt::FIELDS);
        assert!(text.contains(&format!("replaces=sm3:{}\n", "a".repeat(64))));
        assert!(text.contains("accepted_at=2026-03-23T01:25:00.000000Z\n"));
        let mut late = r.clone();
        late.accepted_at = deadline();
        assert!(late.check().is_err());
        let mut wrong = r.clone();
        wrong.replaces = None;
        assert!(wrong.check().is_err());
        let mut first = r;
        first.action = BidAction::Submit;
        first.replaces = None;
        assert!(first.check().is_err());
        first.version = 1;
        assert!(first.check().is_ok());
    }

    #[test]
    fn opening_records_show_prices_only_for_decrypted_bids() {
        let line = |status, price| OpeningLine {
            bidder: bidder(),
            bidder_name: "某建设有限公司".into(),
            status,
            price,
            duration_days: None,
            ciphertext_digest: digest('c'),
        };
        assert!(
            check_opening_record(&[
                line(BidStatus::Decrypted, Some(Decimal::new(100, 0))),
                line(BidStatus::Revoked, None)
            ])
            .is_ok()
        );
        assert!(check_opening_record(&[line(BidStatus::Decrypted, None)]).is_err());
        assert!(check_opening_record(&[line(BidStatus::Withdrawn, Some(Decimal::ONE))]).is_err());
        assert!(check_opening_record(&[line(BidStatus::Sealed, None)]).is_err());
    }

    proptest! {
        #[test]
        fn nothing_is_accepted_at_or_after_the_deadline(offset in -1_000_000i64..1_000_000, a in 0usize..3, live in any::<bool>()) {
            let now = deadline() + TimeDelta::milliseconds(offset);
            let current = live.then_some(BidStatus::Sealed);
            let r = check_bid_action(BidAction::ALL[a], S::Tendering, deadline(), now, current);
            if now >= deadline() {
                prop_assert_eq!(r.unwrap_err().code, "trading.bid.late");
            }
            let d = check_decryption(S::Opened, deadline(), TimeDelta::hours(1), now);
            if now < deadline() {
                prop_assert_eq!(d.unwrap_err().code, "trading.bid.sealed");
            }
        }
    }
}
