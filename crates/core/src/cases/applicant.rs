//! 申请人: natural persons (自然人: name, resident ID number, mobile number), legal persons
//! (法人: unified social credit code and a named handler 经办人), the real-name level of the
//! account, and agents' mandates (全程代办, DOMAIN.md §1.3 "Transfers" [001, 002]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::CaseRuleError;
use super::lifecycle::CaseEvent;
use crate::enums::string_enum;
use crate::ids::{CreditCode, IdNumber};

/// 手机号码: a mainland mobile number, 11 digits `1[3-9]xxxxxxxxx`. Input may carry a `+86`/`86`
/// prefix, spaces and hyphens; the stored form is the bare 11 digits.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MobileNumber(String);

impl MobileNumber {
    pub fn parse(input: &str) -> Result<Self, CaseRuleError> {
        let compact: String = input
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\u{3000}'))
            .collect();
        let digits = compact
            .strip_prefix("+86")
            .or_else(|| {
                (compact.len() == 13)
                    .then(|| compact.strip_prefix("86"))
                    .flatten()
            })
            .unwrap_or(&compact);
        let b = digits.as_bytes();
        let ok = b.len() == 11
            && b.iter().all(u8::is_ascii_digit)
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1]);
        if !ok {
            return Err(CaseRuleError::invalid(
                "mobile.format",
                "手机号码应为11位数字，以13至19开头。",
                "A mobile number has 11 digits and starts with 13 to 19.",
            ));
        }
        Ok(MobileNumber(digits.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For lists and logs: `138****5678` (个人信息保护).
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl std::fmt::Display for MobileNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::fmt::Debug for MobileNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MobileNumber({})", self.masked())
    }
}

impl TryFrom<String> for MobileNumber {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        MobileNumber::parse(&s).map_err(|e| e.message_en)
    }
}

impl From<MobileNumber> for String {
    fn from(m: MobileNumber) -> String {
        m.0
    }
}

string_enum! {
    /// 实名等级 of an account, after the national unified identity platform's levels: the higher,
    /// the stronger the proof that the account holder is the person named.
    RealNameLevel {
        /// 未实名: registered with a mobile number only.
        Unverified = "unverified", "未实名", "Not verified";
        /// 基础实名: name and ID number checked against the population register.
        Basic = "basic", "基础实名", "Name and ID number verified";
        /// 增强实名: plus face recognition or a bank-card check.
        Enhanced = "enhanced", "增强实名", "Face or bank-card verified";
        /// 现场实名: checked in person at a window, or with an electronic ID (网证).
        InPerson = "in_person", "现场实名", "Verified in person";
    }
}

impl RealNameLevel {
    /// The level needed to apply: `Basic` for any application, `Enhanced` for items handled
    /// fully online (全程网办: nobody ever sees the applicant). A window officer registering a
    /// walk-in sees the ID card, which counts as `InPerson`.
    pub fn needed_to_apply(fully_online: bool) -> Self {
        if fully_online {
            RealNameLevel::Enhanced
        } else {
            RealNameLevel::Basic
        }
    }

    pub fn check_at_least(self, needed: RealNameLevel) -> Result<(), CaseRuleError> {
        if self >= needed {
            Ok(())
        } else {
            Err(CaseRuleError::forbidden(
                "applicant.real_name_level",
                format!(
                    "办理此事项须达到“{}”，当前为“{}”。",
                    needed.label_zh(),
                    self.label_zh()
                ),
                format!(
                    "This needs the level \"{}\"; the account is \"{}\".",
                    needed.label_en(),
                    self.label_en()
                ),
            ))
        }
    }
}

/// Checks a person's or organisation's name: 2 to 50 characters, no control characters (names of
/// ethnic minorities keep their middle dot `·`).
pub fn check_name(name: &str) -> Result<String, CaseRuleError> {
    let n = name.trim();
    let count = n.chars().count();
    if !(2..=50).contains(&count) || n.chars().any(char::is_control) {
        return Err(CaseRuleError::invalid(
            "applicant.name",
            "姓名或名称应为2至50个字符。",
            "A name has 2 to 50 characters.",
        ));
    }
    Ok(n.to_string())
}

/// 自然人
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NaturalPerson {
    pub name: String,
    pub id_number: IdNumber,
    pub mobile: MobileNumber,
}

impl NaturalPerson {
    /// Validates and normalises the three inputs; the first error wins (name, ID, mobile).
    pub fn new(name: &str, id_number: &str, mobile: &str) -> Result<Self, CaseRuleError> {
        let name = check_name(name)?;
        let id_number = IdNumber::parse(id_number).map_err(|e| CaseRuleError {
            kind: crate::ProblemKind::Invalid,
            code: e.code(),
            message: e.message_zh(),
            message_en: e.message_en(),
        })?;
        Ok(NaturalPerson {
            name,
            id_number,
            mobile: MobileNumber::parse(mobile)?,
        })
    }
}

/// 法人 (or other organisation) with the handler (经办人) who acts for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalPerson {
    pub name: String,
    pub credit_code: CreditCode,
    /// 经办人: the natural person handling the application for the organisation.
    pub handler: NaturalPerson,
}

impl LegalPerson {
    pub fn new(
        name: &str,
        credit_code: &str,
        handler: NaturalPerson,
    ) -> Result<Self, CaseRuleError> {
        let name = check_name(name)?;
        let credit_code = CreditCode::parse(credit_code).map_err(|e| CaseRuleError {
            kind: crate::ProblemKind::Invalid,
            code: e.code(),
            message: e.message_zh(),
            message_en: e.message_en(),
        })?;
        Ok(LegalPerson {
            name,
            credit_code,
            handler,
        })
    }
}

/// 申请人
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Applicant {
    Natural(NaturalPerson),
    Legal(LegalPerson),
}

impl Applicant {
    /// The identity key: the ID number or the credit code. Mandates and "my cases" use it.
    pub fn key(&self) -> &str {
        match self {
            Applicant::Natural(p) => p.id_number.as_str(),
            Applicant::Legal(l) => l.credit_code.as_str(),
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Applicant::Natural(p) => &p.name,
            Applicant::Legal(l) => &l.name,
        }
    }

    /// The mobile number notifications go to (the handler's for a legal person).
    pub fn mobile(&self) -> &MobileNumber {
        match self {
            Applicant::Natural(p) => &p.mobile,
            Applicant::Legal(l) => &l.handler.mobile,
        }
    }

    /// The name as the public case list (办件公示) shows it: a person's as `张*` (the first
    /// character, one `*` per other character, at least one); an organisation's in full, since
    /// licences granted to firms are public.
    pub fn public_name(&self) -> String {
        match self {
            Applicant::Natural(p) => mask_person_name(&p.name),
            Applicant::Legal(l) => l.name.clone(),
        }
    }
}

/// `张三` → `张*`, `欧阳娜娜` → `欧***`, `A` → `*`.
pub fn mask_person_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        Some(first) if chars.clone().count() > 0 => {
            let stars = "*".repeat(chars.count());
            format!("{first}{stars}")
        }
        _ => "*".to_string(),
    }
}

string_enum! {
    /// 代办事项: what an agent may do for the applicant under a mandate.
    AgentAct {
        /// 申报: fill, save and submit applications.
        Apply = "apply", "申报", "Apply";
        /// 补正: supply corrections and pending materials.
        Supplement = "supplement", "补正补齐", "Supply corrections";
        /// 撤回: must be granted explicitly, never implied.
        Withdraw = "withdraw", "撤回申请", "Withdraw";
        /// 领取: receive the result at the window or by post.
        Receive = "receive", "领取结果", "Receive the result";
    }
}

impl AgentAct {
    /// The act an event needs from an agent; `None` for events an applicant's agent never
    /// performs (officers' and the platform's).
    pub fn for_event(event: CaseEvent) -> Option<AgentAct> {
        match event {
            CaseEvent::SaveDraft | CaseEvent::Submit => Some(AgentAct::Apply),
            CaseEvent::SupplyCorrection | CaseEvent::SupplyDeficiency => Some(AgentAct::Supplement),
            CaseEvent::Withdraw => Some(AgentAct::Withdraw),
            CaseEvent::Deliver => Some(AgentAct::Receive),
            _ => None,
        }
    }
}

/// What a mandate covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "codes", rename_all = "snake_case")]
pub enum MandateScope {
    /// Every item (a 全程代办 for an investment project).
    AllItems,
    /// Only these item codes.
    Items(Vec<String>),
}

/// 代办委托: the applicant's recorded mandate for an agent (a 代办员 of the centre, or anyone
/// the applicant names), valid over `[valid_from, valid_until)` unless revoked earlier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mandate {
    /// The applicant's identity key (ID number or credit code).
    pub applicant_key: String,
    /// The agent's user id.
    pub agent_user_id: String,
    pub scope: MandateScope,
    pub acts: Vec<AgentAct>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    #[serde(default)]
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The longest a mandate may run: 3 years (a construction project's approvals).
pub const MAX_MANDATE_DAYS: i64 = 3 * 366;

fn mandate_err(code: &'static str, zh: &str, en: &str) -> CaseRuleError {
    CaseRuleError::forbidden(code, zh, en)
}

impl Mandate {
    /// Rules for recording one: some act, a non-empty item list, an end after the start and at
    /// most [`MAX_MANDATE_DAYS`] later.
    pub fn check(&self) -> Result<(), CaseRuleError> {
        if self.acts.is_empty() {
            return Err(CaseRuleError::invalid(
                "mandate.acts",
                "委托须至少包含一项代办事项。",
                "A mandate grants at least one act.",
            ));
        }
        if matches!(&self.scope, MandateScope::Items(c) if c.is_empty()) {
            return Err(CaseRuleError::invalid(
                "mandate.scope",
                "委托须列明代办的事项。",
                "A mandate names the items it covers.",
            ));
        }
        let span = self.valid_until - self.valid_from;
        if span <= chrono::TimeDelta::zero() || span > chrono::TimeDelta::days(MAX_MANDATE_DAYS) {
            return Err(CaseRuleError::invalid(
                "mandate.validity",
                "委托期限须晚于开始时间，且不超过3年。",
                "A mandate ends after it starts and runs at most 3 years.",
            ));
        }
        Ok(())
    }

    /// Whether it is in force at `at`.
    pub fn in_force(&self, at: DateTime<Utc>) -> bool {
        self.valid_from <= at && at < self.valid_until && self.revoked_at.is_none_or(|r| at < r)
    }
}

/// Whether `agent_user_id` may perform `event` on a case of `applicant_key` for item `item_code`
/// at `at`, under one of `mandates`. Refusals are `Forbidden` (403) with the most specific reason.
pub fn check_agent(
    mandates: &[Mandate],
    agent_user_id: &str,
    applicant_key: &str,
    item_code: &str,
    event: CaseEvent,
    at: DateTime<Utc>,
) -> Result<(), CaseRuleError> {
    let Some(act) = AgentAct::for_event(event) else {
        return Err(mandate_err(
            "mandate.not_an_applicant_act",
            "此操作不能由代办人执行。",
            "An agent cannot perform this act.",
        ));
    };
    let mine: Vec<&Mandate> = mandates
        .iter()
        .filter(|m| m.agent_user_id == agent_user_id && m.applicant_key == applicant_key)
        .collect();
    if mine.is_empty() {
        return Err(mandate_err(
            "mandate.none",
            "您没有该申请人的代办委托。",
            "You hold no mandate from this applicant.",
        ));
    }
    let live: Vec<&&Mandate> = mine.iter().filter(|m| m.in_force(at)).collect();
    if live.is_empty() {
        return Err(mandate_err(
            "mandate.not_in_force",
            "代办委托未生效、已过期或已撤销。",
            "The mandate is not yet valid, has expired or was revoked.",
        ));
    }
    let covering: Vec<&&&Mandate> = live
        .iter()
        .filter(|m| match &m.scope {
            MandateScope::AllItems => true,
            MandateScope::Items(codes) => codes.iter().any(|c| c == item_code),
        })
        .collect();
    if covering.is_empty() {
        return Err(mandate_err(
            "mandate.item_out_of_scope",
            "代办委托不包括该事项。",
            "The mandate does not cover this item.",
        ));
    }
    if !covering.iter().any(|m| m.acts.contains(&act)) {
        return Err(CaseRuleError::forbidden(
            "mandate.act_not_granted",
            format!("代办委托未授权“{}”。", act.label_zh()),
            format!("The mandate does not grant \"{}\".", act.label_en()),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{credit_code_check_char, id_number_check_char};
    use chrono::TimeDelta;
    use proptest::prelude::*;

    fn id() -> String {
        let first = "11010519491231002";
        format!("{first}{}", id_number_check_char(first).unwrap())
    }

    fn credit() -> String {
        let first = "91350100M000100Y4";
        format!("{first}{}", credit_code_check_char(first).unwrap())
    }

    fn t(h: i64) -> DateTime<Utc> {
        "2025-06-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap() + TimeDelta::hours(h)
    }

    #[test]
    fn mobile_numbers() {
        for ok in [
            "13800138000",
            "+86 138 0013 8000",
            "86-13800138000",
            "19912345678",
        ] {
            assert_eq!(MobileNumber::parse(ok).unwrap().as_str().len(), 11, "{ok}");
        }
        for bad in [
            "12800138000",
            "1380013800",
            "138001380001",
            "0571-8888888",
            "1380013800a",
            "",
        ] {
            assert_eq!(
                MobileNumber::parse(bad).unwrap_err().code,
                "mobile.format",
                "{bad}"
            );
        }
        let m = MobileNumber::parse("13800138000").unwrap();
        assert_eq!(m.masked(), "138****8000");
        assert!(!format!("{m:?}").contains("0013"));
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(json, "\"13800138000\"");
        assert!(serde_json::from_str::<MobileNumber>("\"123\"").is_err());
    }

    #[test]
    fn applicants() {
        let p = NaturalPerson::new(" 张三 ", &id(), "13800138000").unwrap();
        assert_eq!(p.name, "张三");
        assert_eq!(
            NaturalPerson::new("张三", "110105194912310021", "13800138000")
                .unwrap_err()
                .code,
            "id_number.checksum"
        );
        assert_eq!(
            NaturalPerson::new("张", &id(), "13800138000")
                .unwrap_err()
                .code,
            "applicant.name"
        );
        assert_eq!(
            NaturalPerson::new("张三", &id(), "123").unwrap_err().code,
            "mobile.format"
        );
        let firm = LegalPerson::new("某某餐饮有限公司", &credit(), p.clone()).unwrap();
        assert!(LegalPerson::new("某某餐饮有限公司", "91350100M000100Y4Z", p.clone()).is_err());
        let a = Applicant::Legal(firm);
        assert_eq!(a.key(), credit());
        assert_eq!(a.mobile().as_str(), "13800138000");
        assert_eq!(a.public_name(), "某某餐饮有限公司");
        assert_eq!(Applicant::Natural(p).public_name(), "张*");
        assert_eq!(mask_person_name("欧阳娜娜"), "欧***");
        assert_eq!(mask_person_name("A"), "*");
    }

    #[test]
    fn real_name_levels() {
        assert!(
            RealNameLevel::Enhanced
                .check_at_least(RealNameLevel::needed_to_apply(true))
                .is_ok()
        );
        assert_eq!(
            RealNameLevel::Basic
                .check_at_least(RealNameLevel::needed_to_apply(true))
                .unwrap_err()
                .code,
            "applicant.real_name_level"
        );
        assert!(
            RealNameLevel::Basic
                .check_at_least(RealNameLevel::needed_to_apply(false))
                .is_ok()
        );
        assert!(
            RealNameLevel::Unverified
                .check_at_least(RealNameLevel::Basic)
                .is_err()
        );
    }

    fn mandate() -> Mandate {
        Mandate {
            applicant_key: credit(),
            agent_user_id: "agent-1".into(),
            scope: MandateScope::Items(vec!["011000101000".into()]),
            acts: vec![AgentAct::Apply, AgentAct::Supplement],
            valid_from: t(0),
            valid_until: t(24 * 30),
            revoked_at: None,
        }
    }

    #[test]
    fn an_agent_acts_only_within_the_mandate() {
        let ms = vec![mandate()];
        let ok = |ev, at| check_agent(&ms, "agent-1", &credit(), "011000101000", ev, at);
        assert!(ok(CaseEvent::Submit, t(1)).is_ok());
        assert!(ok(CaseEvent::SupplyCorrection, t(1)).is_ok());
        assert_eq!(
            ok(CaseEvent::Withdraw, t(1)).unwrap_err().code,
            "mandate.act_not_granted"
        );
        assert_eq!(
            ok(CaseEvent::Accept, t(1)).unwrap_err().code,
            "mandate.not_an_applicant_act"
        );
        assert_eq!(
            ok(CaseEvent::Submit, t(24 * 30)).unwrap_err().code,
            "mandate.not_in_force"
        );
        assert_eq!(
            check_agent(
                &ms,
                "agent-1",
                &credit(),
                "011000102000",
                CaseEvent::Submit,
                t(1)
            )
            .unwrap_err()
            .code,
            "mandate.item_out_of_scope"
        );
        assert_eq!(
            check_agent(
                &ms,
                "agent-2",
                &credit(),
                "011000101000",
                CaseEvent::Submit,
                t(1)
            )
            .unwrap_err()
            .code,
            "mandate.none"
        );
        let mut revoked = mandate();
        revoked.revoked_at = Some(t(2));
        let rs = vec![revoked];
        assert!(
            check_agent(
                &rs,
                "agent-1",
                &credit(),
                "011000101000",
                CaseEvent::Submit,
                t(1)
            )
            .is_ok()
        );
        assert!(
            check_agent(
                &rs,
                "agent-1",
                &credit(),
                "011000101000",
                CaseEvent::Submit,
                t(2)
            )
            .is_err()
        );
        let e: crate::Problem = ok(CaseEvent::Accept, t(1)).unwrap_err().into();
        assert_eq!(e.kind, crate::ProblemKind::Forbidden);
    }

    #[test]
    fn mandate_records_are_checked() {
        assert!(mandate().check().is_ok());
        let mut m = mandate();
        m.acts.clear();
        assert_eq!(m.check().unwrap_err().code, "mandate.acts");
        let mut m = mandate();
        m.scope = MandateScope::Items(vec![]);
        assert_eq!(m.check().unwrap_err().code, "mandate.scope");
        let mut m = mandate();
        m.valid_until = m.valid_from;
        assert_eq!(m.check().unwrap_err().code, "mandate.validity");
        m.valid_until = m.valid_from + TimeDelta::days(MAX_MANDATE_DAYS + 1);
        assert_eq!(m.check().unwrap_err().code, "mandate.validity");
    }

    proptest! {
        #[test]
        fn any_valid_mobile_round_trips(rest in "[3-9][0-9]{9}") {
            let s = format!("1{rest}");
            let m = MobileNumber::parse(&format!("+86 {s}")).unwrap();
            prop_assert_eq!(m.as_str(), s.as_str());
            prop_assert_eq!(MobileNumber::parse(m.as_str()).unwrap(), m.clone());
            prop_assert_eq!(m.masked().chars().count(), 11);
        }

        /// An agent is never allowed outside the mandate's validity, whatever the event.
        #[test]
        fn never_outside_validity(h in -1000i64..2000, ev in proptest::sample::select(CaseEvent::ALL)) {
            let ms = vec![mandate()];
            let at = t(h);
            if check_agent(&ms, "agent-1", &credit(), "011000101000", ev, at).is_ok() {
                prop_assert!(ms[0].in_force(at));
                prop_assert!(ms[0].acts.contains(&AgentAct::for_event(ev).unwrap()));
            }
        }
    }
}
