//! 澄清与算术修正: the committee's written questions to a bidder during the evaluation and the
//! correction of obvious errors in a bid's price (招标投标法 Art. 39; 招标投标法实施条例 Art. 52;
//! 评标委员会和评标方法暂行规定 Art. 19).
//!
//! Only the committee asks; a bidder's unsolicited clarification is not accepted (Art. 52: 不得
//! 接受投标人主动提出的澄清、说明); an answer is written, through the platform, by the deadline the
//! committee set, and may neither go beyond the bid nor change its substance — the committee
//! judges that; the platform keeps the question, the answer and the times.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::words::from_capital;
use super::{BidId, round_half_up};
use crate::Problem;
use crate::trading::periods::Violation;

/// 澄清通知: a written question of the committee to one bidder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClarificationRequest {
    pub bid: BidId,
    pub question: String,
    pub asked_at: DateTime<Utc>,
    /// The committee's deadline for the answer.
    pub answer_by: DateTime<Utc>,
}

/// Checks a question before it is sent: a question, and a deadline after it is asked.
pub fn check_request(r: &ClarificationRequest) -> Result<(), Problem> {
    if r.question.trim().is_empty() || r.answer_by <= r.asked_at {
        return Err(Problem::invalid(
            "evaluation.clarification.request",
            "澄清通知应当写明问题和晚于发出时间的答复截止时间。",
            "A clarification request needs a question and a deadline after it is sent.",
        ));
    }
    Ok(())
}

/// Whether an answer given at `answered_at` counts: only to a request of the committee
/// (`request` is `None` for an unsolicited clarification, which is refused) and before its
/// deadline.
pub fn answer_accepted(
    request: Option<&ClarificationRequest>,
    answered_at: DateTime<Utc>,
) -> Result<(), Violation> {
    match request {
        None => Err(Violation::new(
            "evaluation.clarification.unsolicited",
            "评标委员会不接受投标人主动提出的澄清、说明。".into(),
            "The committee does not accept clarifications it did not ask for.".into(),
        )),
        Some(r) if answered_at >= r.answer_by || answered_at < r.asked_at => Err(Violation::new(
            "evaluation.clarification.late",
            "澄清、说明未在评标委员会规定的时间内提交。".into(),
            "The clarification was not given within the committee's deadline.".into(),
        )),
        Some(_) => Ok(()),
    }
}

/// What an arithmetic correction changed and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceCorrection {
    pub original: Decimal,
    pub corrected: Decimal,
    pub reason_zh: &'static str,
    pub reason_en: &'static str,
}

/// 大写金额与小写金额不一致的，以大写金额为准 (评标委员会和评标方法暂行规定 Art. 19): the price
/// from the words when they differ from the figures; `None` when they agree. An unreadable
/// written amount is a problem for the committee, not a correction.
pub fn reconcile_words(words: &str, figures: Decimal) -> Result<Option<PriceCorrection>, Problem> {
    let Some(w) = from_capital(words) else {
        return Err(Problem::invalid(
            "evaluation.clarification.words",
            "投标报价的大写金额无法识别，由评标委员会认定。",
            "The written amount cannot be read; the committee decides.",
        ));
    };
    Ok((w != figures).then_some(PriceCorrection {
        original: figures,
        corrected: w,
        reason_zh: "大写金额与小写金额不一致，以大写金额为准",
        reason_en: "Words and figures differ; the words prevail",
    }))
}

/// 总价金额与单价金额不一致的，以单价金额为准 (Art. 19): the total recomputed from unit prices
/// and quantities (each line rounded half up to the fen, then added) when it differs from the
/// stated total; `None` when they agree. The exception of an obviously misplaced decimal point in
/// a unit price is the committee's judgement and is not applied here.
pub fn reconcile_total(
    lines: &[(Decimal, Decimal)],
    stated_total: Decimal,
) -> Option<PriceCorrection> {
    let total: Decimal = lines.iter().map(|(u, q)| round_half_up(*u * *q, 2)).sum();
    (total != stated_total).then_some(PriceCorrection {
        original: stated_total,
        corrected: total,
        reason_zh: "总价金额与单价金额不一致，以单价金额为准",
        reason_en: "Total and unit prices differ; the unit prices prevail",
    })
}

/// A corrected price binds the bidder once it confirms it in writing; a bidder who refuses the
/// correction has its bid rejected (工程建设项目施工招标投标办法 Art. 53; 政府采购货物和服务招标投标
/// 管理办法 Art. 59), recorded as [`super::ExclusionReason::NotResponsive`] with the correction as
/// the note. Returns the price the evaluation uses, or `None` when the bid is to be rejected.
pub fn price_after_confirmation(c: &PriceCorrection, confirmed: bool) -> Option<Decimal> {
    confirmed.then_some(c.corrected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::testutil::*;

    #[test]
    fn questions_and_answers() {
        let r = ClarificationRequest {
            bid: "a".into(),
            question: "请说明第3章报价中钢材单价的来源。".into(),
            asked_at: at(2026, 3, 11, 10, 0),
            answer_by: at(2026, 3, 11, 11, 0),
        };
        assert!(check_request(&r).is_ok());
        let mut bad = r.clone();
        bad.answer_by = bad.asked_at;
        assert!(check_request(&bad).is_err());
        assert!(answer_accepted(Some(&r), at(2026, 3, 11, 10, 59)).is_ok());
        assert_eq!(
            answer_accepted(Some(&r), at(2026, 3, 11, 11, 0))
                .unwrap_err()
                .code,
            "evaluation.clarification.late"
        );
        assert_eq!(
            answer_accepted(None, at(2026, 3, 11, 10, 30))
                .unwrap_err()
                .code,
            "evaluation.clarification.unsolicited"
        );
    }

    #[test]
    fn words_prevail_then_unit_prices() {
        assert_eq!(
            reconcile_words("玖佰捌拾柒万陆仟伍佰肆拾叁元贰角整", d("9876543.20")).unwrap(),
            None
        );
        let c = reconcile_words("玖佰捌拾柒万陆仟伍佰肆拾叁元整", d("9876543.20"))
            .unwrap()
            .unwrap();
        assert_eq!(c.corrected, d("9876543"));
        assert_eq!(price_after_confirmation(&c, true), Some(d("9876543")));
        assert_eq!(price_after_confirmation(&c, false), None);
        assert!(reconcile_words("九百万", d("9000000")).is_err());
        let lines = [(d("12.345"), d("3")), (d("100"), d("2.5"))];
        // 37.035 → 37.04; 250 → 287.04.
        assert_eq!(reconcile_total(&lines, d("287.04")), None);
        assert_eq!(
            reconcile_total(&lines, d("287.00")).unwrap().corrected,
            d("287.04")
        );
    }
}
