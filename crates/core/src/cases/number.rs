//! 办件编号 and 查询码.
//!
//! A case number is 21 characters: `RRRRRR` `YYYYMMDD` `SSSSSS` `C`
//! - `RRRRRR`: the GB/T 2260 region code of the receiving centre;
//! - `YYYYMMDD`: the Beijing date the case was created (received, or saved as a draft);
//! - `SSSSSS`: a sequence from 000001, per region and date, allocated by the database (a counter
//!   row updated in the creating transaction, so numbers stay unique with several nodes);
//! - `C`: an ISO 7064 MOD 11-2 check character over the 20 digits (`0`–`9` or `X`), the same
//!   algorithm as the ID number's, so a mistyped digit or two swapped digits are caught when
//!   the public types a number into the progress query. DOMAIN.md names no check; this is ours.
//!
//! It is shown grouped as `RRRRRR-YYYYMMDD-SSSSSS-C`; parsing accepts either form.
//!
//! The 查询码 (query code) is given at submission and, with the number, opens the public progress
//! query without sign-in: 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L), about
//! 40 bits, drawn from randomness the caller passes in.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::CaseRuleError;
use crate::ids::RegionCode;

/// The largest sequence of a day in one region (Suqian's 6.8 million cases a year are under
/// 20,000 a day).
pub const MAX_SEQUENCE: u32 = 999_999;

/// ISO 7064 MOD 11-2 check character over ASCII digits.
pub fn mod11_2_check(digits: &str) -> Option<char> {
    let mut p: u32 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        p = ((p + u32::from(b - b'0')) * 2) % 11;
    }
    let c = (12 - p) % 11;
    Some(if c == 10 {
        'X'
    } else {
        char::from(b'0' + c as u8)
    })
}

/// 办件编号
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CaseNumber(String);

fn bad(code: &'static str, zh: &str, en: &str) -> CaseRuleError {
    CaseRuleError::invalid(code, zh, en)
}

impl CaseNumber {
    /// Builds the number of the `sequence`-th case of `date` in `region`.
    pub fn new(region: &RegionCode, date: NaiveDate, sequence: u32) -> Result<Self, CaseRuleError> {
        if sequence == 0 || sequence > MAX_SEQUENCE {
            return Err(bad(
                "case_number.sequence",
                "办件流水号应为1至999999。",
                "The sequence is 1 to 999999.",
            ));
        }
        let body = format!(
            "{}{}{:06}",
            region.as_str(),
            date.format("%Y%m%d"),
            sequence
        );
        if body.len() != 20 {
            return Err(bad(
                "case_number.date",
                "办件编号的日期须为四位年份。",
                "The date must have a four-digit year.",
            ));
        }
        let c = mod11_2_check(&body).expect("digits");
        Ok(CaseNumber(format!("{body}{c}")))
    }

    /// Parses a number as typed: spaces and hyphens are ignored, `x` is upper-cased.
    pub fn parse(input: &str) -> Result<Self, CaseRuleError> {
        let s: String = input
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if s.chars().count() != 21 {
            return Err(bad(
                "case_number.length",
                "办件编号应为21位。",
                "A case number has 21 characters.",
            ));
        }
        let (body, check) = s.split_at(20);
        if !body.bytes().all(|b| b.is_ascii_digit())
            || !matches!(check.as_bytes()[0], b'0'..=b'9' | b'X')
        {
            return Err(bad(
                "case_number.character",
                "办件编号前20位为数字，最后一位为数字或X。",
                "A case number is 20 digits and a digit or X.",
            ));
        }
        if RegionCode::parse(&body[..6]).is_err() {
            return Err(bad(
                "case_number.region",
                "办件编号前6位应为行政区划代码。",
                "The first 6 digits must be a region code.",
            ));
        }
        if NaiveDate::parse_from_str(&body[6..14], "%Y%m%d").is_err() {
            return Err(bad(
                "case_number.date",
                "办件编号第7至14位应为有效日期。",
                "Digits 7 to 14 must be a valid date.",
            ));
        }
        if &body[14..20] == "000000" {
            return Err(bad(
                "case_number.sequence",
                "办件流水号应为1至999999。",
                "The sequence is 1 to 999999.",
            ));
        }
        if mod11_2_check(body) != check.chars().next() {
            return Err(bad(
                "case_number.checksum",
                "办件编号校验位不正确，请核对是否输入有误。",
                "The case number's check character is wrong; please check for typos.",
            ));
        }
        Ok(CaseNumber(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn region(&self) -> RegionCode {
        RegionCode::parse(&self.0[..6]).expect("checked")
    }

    pub fn date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").expect("checked")
    }

    pub fn sequence(&self) -> u32 {
        self.0[14..20].parse().expect("checked")
    }

    /// `RRRRRR-YYYYMMDD-SSSSSS-C`, for print and pages.
    pub fn grouped(&self) -> String {
        format!(
            "{}-{}-{}-{}",
            &self.0[..6],
            &self.0[6..14],
            &self.0[14..20],
            &self.0[20..]
        )
    }
}

impl std::fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for CaseNumber {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        CaseNumber::parse(&s).map_err(|e| e.message_en)
    }
}

impl From<CaseNumber> for String {
    fn from(c: CaseNumber) -> String {
        c.0
    }
}

const QUERY_ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// 查询码
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueryCode(String);

impl QueryCode {
    /// Eight characters from `random` (pass 64 fresh random bits; 31^8 < 2^40, so the bias of
    /// taking remainders is below one in 10^7).
    pub fn from_random(mut random: u64) -> Self {
        let n = QUERY_ALPHABET.len() as u64;
        let s = (0..8)
            .map(|_| {
                let c = QUERY_ALPHABET[(random % n) as usize];
                random /= n;
                char::from(c)
            })
            .collect();
        QueryCode(s)
    }

    /// Restores a stored code.
    pub fn from_stored(s: &str) -> Self {
        QueryCode(s.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `input` (as typed: case-insensitive, spaces ignored) is this code; compares every
    /// character so the time taken does not reveal how much of a guess was right.
    pub fn matches(&self, input: &str) -> bool {
        let typed: Vec<u8> = input
            .bytes()
            .filter(|b| *b != b' ')
            .map(|b| b.to_ascii_uppercase())
            .collect();
        let mine = self.0.as_bytes();
        if typed.len() != mine.len() {
            return false;
        }
        typed
            .iter()
            .zip(mine)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }
}

impl std::fmt::Debug for QueryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("QueryCode(****)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::id_number_check_char;
    use proptest::prelude::*;

    fn region() -> RegionCode {
        RegionCode::parse("440305").unwrap()
    }

    #[test]
    fn layout_and_round_trip() {
        let d = NaiveDate::from_ymd_opt(2025, 12, 3).unwrap();
        let n = CaseNumber::new(&region(), d, 123).unwrap();
        assert_eq!(&n.as_str()[..20], "44030520251203000123");
        assert_eq!(n.as_str().len(), 21);
        assert_eq!(CaseNumber::parse(&n.grouped()).unwrap(), n);
        assert_eq!(CaseNumber::parse(&n.as_str().to_lowercase()).unwrap(), n);
        assert_eq!(n.region(), region());
        assert_eq!(n.date(), d);
        assert_eq!(n.sequence(), 123);
        assert_eq!(serde_json::to_string(&n).unwrap(), format!("\"{n}\""));
        assert!(CaseNumber::new(&region(), d, 0).is_err());
        assert!(CaseNumber::new(&region(), d, 1_000_000).is_err());
    }

    #[test]
    fn the_check_is_the_id_number_algorithm() {
        for s in [
            "11010519491231002",
            "44030519900101123",
            "00000000000000000",
        ] {
            assert_eq!(mod11_2_check(s), id_number_check_char(s));
        }
        assert_eq!(mod11_2_check("12a"), None);
    }

    #[test]
    fn bad_numbers_are_refused_with_a_precise_code() {
        let code = |s: &str| CaseNumber::parse(s).unwrap_err().code;
        assert_eq!(code("4403052025120300012"), "case_number.length");
        assert_eq!(code("4403052025120300012A0"), "case_number.character");
        assert_eq!(code("000000202512030001230"), "case_number.region");
        assert_eq!(code("440305202513030001230"), "case_number.date");
        assert_eq!(code("440305202512030000000"), "case_number.sequence");
        let good = CaseNumber::new(
            &region(),
            NaiveDate::from_ymd_opt(2025, 12, 3).unwrap(),
            123,
        )
        .unwrap();
        let mut wrong = good.as_str().to_string();
        let c = if wrong.ends_with('0') { '1' } else { '0' };
        wrong.replace_range(20.., &c.to_string());
        assert_eq!(code(&wrong), "case_number.checksum");
    }

    #[test]
    fn query_codes() {
        let q = QueryCode::from_random(0x1234_5678_9abc_def0);
        assert_eq!(q.as_str().len(), 8);
        assert!(q.as_str().bytes().all(|b| QUERY_ALPHABET.contains(&b)));
        assert!(q.matches(&q.as_str().to_lowercase()));
        assert!(!q.matches("AAAAAAAA"));
        assert!(!q.matches(""));
        assert_eq!(format!("{q:?}"), "QueryCode(****)");
        assert_ne!(QueryCode::from_random(1), QueryCode::from_random(2));
    }

    proptest! {
        #[test]
        fn every_number_round_trips(r in 110000u32..660000, days in 0i64..20000, seq in 1u32..=MAX_SEQUENCE) {
            let region = RegionCode::parse(&r.to_string()).unwrap();
            let d = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::TimeDelta::days(days);
            let n = CaseNumber::new(&region, d, seq).unwrap();
            prop_assert_eq!(CaseNumber::parse(n.as_str()).unwrap(), n.clone());
            prop_assert_eq!((n.region(), n.date(), n.sequence()), (region, d, seq));
        }

        /// Any single changed digit and any swap of two different adjacent digits is caught.
        #[test]
        fn typos_are_caught(seq in 1u32..=MAX_SEQUENCE, pos in 0usize..20, digit in 0u8..10) {
            let n = CaseNumber::new(&region(), NaiveDate::from_ymd_opt(2025, 12, 3).unwrap(), seq).unwrap();
            let mut b = n.as_str().as_bytes().to_vec();
            if b[pos] != b'0' + digit {
                b[pos] = b'0' + digit;
                prop_assert!(CaseNumber::parse(std::str::from_utf8(&b).unwrap()).is_err());
            }
            let mut s = n.as_str().as_bytes().to_vec();
            if pos < 19 && s[pos] != s[pos + 1] {
                s.swap(pos, pos + 1);
                prop_assert!(CaseNumber::parse(std::str::from_utf8(&s).unwrap()).is_err());
            }
        }
    }
}
