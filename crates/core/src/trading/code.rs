//! 统一交易标识码: the unique transaction code of a section, and 标段（包）编号.
//!
//! Layout (公共资源交易平台系统数据规范, 2016, as published codes show it, e.g.
//! `A02-123100007847653857-20161012-000015-Q` in Shanghai): five parts joined by `-`:
//!
//! | part | length | meaning |
//! |---|---|---|
//! | 交易类别 | 3 | [`TradeField::code_letter`] + a two-digit sub-category (`01`–`99`) |
//! | 平台主体代码 | 18 | the 统一社会信用代码 of the organisation running the trading system (GB 32100, validated) |
//! | 登记日期 | 8 | `YYYYMMDD`, the local (Asia/Shanghai) date of 进场登记 |
//! | 顺序号 | 6 | `000001`–`999999`, per platform and day |
//! | 校验码 | 1 | check character |
//!
//! Choice: DOMAIN does not give the check-character algorithm, so codes issued here use ISO 7064
//! (GB/T 17710) hybrid MOD 37,36 over the 34 characters of the first four parts; it detects every
//! single-character error and every adjacent transposition. Codes issued by other platforms are read
//! with [`TransactionCode::parse_foreign`], which checks everything but the check character.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::fields::TradeField;
use crate::Problem;
use crate::ids::CreditCode;

const ALNUM: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

fn alnum_value(c: u8) -> Option<u32> {
    ALNUM.iter().position(|&a| a == c).map(|p| p as u32)
}

/// ISO 7064 hybrid MOD 37,36 check character of `payload` (uppercase alphanumerics), or `None` if
/// any character is outside `0-9A-Z`.
pub fn mod37_36_check_char(payload: &str) -> Option<char> {
    let mut p: u32 = 36;
    for b in payload.bytes() {
        let mut s = (p + alnum_value(b)?) % 36;
        if s == 0 {
            s = 36;
        }
        p = (s * 2) % 37;
    }
    // The check character a makes (p + a) mod 36 == 1.
    let a = (37 - p) % 36;
    Some(char::from(ALNUM[a as usize]))
}

/// 统一交易标识码 of a section. Built valid ([`TransactionCode::new`], [`TransactionCode::parse`]);
/// stored and shown as its text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TransactionCode(String);

fn code_error(code: &str, zh: String, en: String) -> Problem {
    Problem::invalid(format!("trading.code.{code}"), zh, en)
}

impl TransactionCode {
    /// Issues the code of a section registered on `date` as the `sequence`-th of that day.
    pub fn new(
        field: TradeField,
        sub_category: u8,
        platform: &CreditCode,
        date: NaiveDate,
        sequence: u32,
    ) -> Result<Self, Problem> {
        if !(1..=99).contains(&sub_category) {
            return Err(code_error(
                "sub_category",
                format!("交易类别子码应为01至99，实际为{sub_category}。"),
                format!("The sub-category must be 01 to 99, found {sub_category}."),
            ));
        }
        if !(1..=999_999).contains(&sequence) {
            return Err(code_error(
                "sequence",
                format!("顺序号应为1至999999，实际为{sequence}。"),
                format!("The sequence number must be 1 to 999999, found {sequence}."),
            ));
        }
        let body = format!(
            "{}{:02}-{}-{}-{:06}",
            field.code_letter(),
            sub_category,
            platform.as_str(),
            date.format("%Y%m%d"),
            sequence
        );
        let check =
            mod37_36_check_char(&body.replace('-', "")).expect("alphanumeric by construction");
        Ok(TransactionCode(format!("{body}-{check}")))
    }

    /// Parses a code issued by this platform: structure and check character.
    pub fn parse(input: &str) -> Result<Self, Problem> {
        let code = Self::parse_foreign(input)?;
        let s = code.as_str();
        let expected = mod37_36_check_char(&s[..s.len() - 2].replace('-', "")).expect("checked");
        let found = char::from(s.as_bytes()[s.len() - 1]);
        if expected != found {
            return Err(code_error(
                "checksum",
                format!("统一交易标识码校验码错误：应为{expected}，实际为{found}。"),
                format!(
                    "The check character of the transaction code is wrong: expected {expected}, found {found}."
                ),
            ));
        }
        Ok(code)
    }

    /// Parses a code issued by any platform: every part is checked except the check character,
    /// whose rule differs between platforms. Lower-case letters are accepted and stored upper-case.
    pub fn parse_foreign(input: &str) -> Result<Self, Problem> {
        let s = input.trim().to_ascii_uppercase();
        let parts: Vec<&str> = s.split('-').collect();
        let [cat, platform, date, seq, check] = parts[..] else {
            return Err(code_error(
                "layout",
                "统一交易标识码应为“类别-主体代码-日期-顺序号-校验码”五段，以“-”分隔。".into(),
                "A transaction code has five parts separated by '-': category, platform code, date, sequence, check character.".into(),
            ));
        };
        let cb = cat.as_bytes();
        if cb.len() != 3
            || TradeField::from_code_letter(char::from(cb[0])).is_none()
            || !cb[1..].iter().all(u8::is_ascii_digit)
            || &cat[1..] == "00"
        {
            return Err(code_error(
                "category",
                format!("交易类别“{cat}”无效，应为类别字母加01至99两位数字。"),
                format!(
                    "Invalid category {cat:?}: a field letter followed by two digits 01 to 99."
                ),
            ));
        }
        CreditCode::parse(platform).map_err(|e| {
            code_error(
                "platform",
                format!("平台主体代码无效：{}", e.message_zh()),
                format!("Invalid platform code: {}", e.message_en()),
            )
        })?;
        let date_ok = date.len() == 8
            && date.bytes().all(|b| b.is_ascii_digit())
            && NaiveDate::parse_from_str(date, "%Y%m%d").is_ok();
        if !date_ok {
            return Err(code_error(
                "date",
                format!("登记日期“{date}”无效，应为YYYYMMDD。"),
                format!("Invalid registration date {date:?}; expected YYYYMMDD."),
            ));
        }
        if seq.len() != 6 || !seq.bytes().all(|b| b.is_ascii_digit()) || seq == "000000" {
            return Err(code_error(
                "sequence",
                format!("顺序号“{seq}”无效，应为000001至999999。"),
                format!("Invalid sequence {seq:?}; expected 000001 to 999999."),
            ));
        }
        if check.len() != 1 || alnum_value(check.as_bytes()[0]).is_none() {
            return Err(code_error(
                "check",
                format!("校验码“{check}”无效，应为一位数字或字母。"),
                format!("Invalid check character {check:?}; expected one digit or letter."),
            ));
        }
        Ok(TransactionCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn field(&self) -> TradeField {
        TradeField::from_code_letter(char::from(self.0.as_bytes()[0])).expect("validated")
    }

    pub fn platform(&self) -> &str {
        &self.0[4..22]
    }

    pub fn registration_date(&self) -> NaiveDate {
        NaiveDate::parse_from_str(&self.0[23..31], "%Y%m%d").expect("validated")
    }

    pub fn sequence(&self) -> u32 {
        self.0[32..38].parse().expect("validated")
    }
}

impl fmt::Display for TransactionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for TransactionCode {
    type Error = Problem;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        TransactionCode::parse_foreign(&value)
    }
}

impl From<TransactionCode> for String {
    fn from(value: TransactionCode) -> Self {
        value.0
    }
}

/// 标段（包）编号: the project's 招标项目编号 followed by the three-digit section number, as the
/// data specification's published examples show (`e3100000151008459002` + `001`).
pub fn section_number_code(project_code: &str, section: u16) -> Result<String, Problem> {
    let ok = !project_code.is_empty()
        && project_code.len() <= 40
        && project_code.bytes().all(|b| b.is_ascii_alphanumeric());
    if !ok || !(1..=999).contains(&section) {
        return Err(code_error(
            "section",
            "标段（包）编号无效：项目编号应为1至40位字母或数字，标段号应为1至999。".into(),
            "Invalid section code: the project code is 1 to 40 letters or digits, the section number 1 to 999.".into(),
        ));
    }
    Ok(format!("{}{section:03}", project_code.to_ascii_uppercase()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn platform() -> CreditCode {
        // Published in the Shanghai example; its GB 32100 check character is valid.
        CreditCode::parse("123100007847653857").unwrap()
    }

    fn date() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()
    }

    #[test]
    fn issues_parses_and_takes_apart() {
        let c = TransactionCode::new(TradeField::Construction, 2, &platform(), date(), 15).unwrap();
        assert!(
            c.as_str()
                .starts_with("A02-123100007847653857-20261203-000015-")
        );
        assert_eq!(c.as_str().len(), 40);
        let p = TransactionCode::parse(c.as_str()).unwrap();
        assert_eq!(p, c);
        assert_eq!(p.field(), TradeField::Construction);
        assert_eq!(p.platform(), "123100007847653857");
        assert_eq!(p.registration_date(), date());
        assert_eq!(p.sequence(), 15);
        assert_eq!(
            TransactionCode::parse(&c.as_str().to_lowercase()).unwrap(),
            c
        );
    }

    #[test]
    fn the_published_shanghai_code_reads_as_foreign() {
        let s = "A02-123100007847653857-20161012-000015-Q";
        let c = TransactionCode::parse_foreign(s).unwrap();
        assert_eq!(c.field(), TradeField::Construction);
        assert_eq!(c.sequence(), 15);
    }

    #[test]
    fn each_part_is_checked() {
        let good =
            TransactionCode::new(TradeField::GovernmentProcurement, 1, &platform(), date(), 1)
                .unwrap()
                .to_string();
        let cases = [
            (
                "B01-123100007847653857-20261203-000001",
                "trading.code.layout",
            ),
            (
                "X01-123100007847653857-20261203-000001-0",
                "trading.code.category",
            ),
            (
                "B00-123100007847653857-20261203-000001-0",
                "trading.code.category",
            ),
            (
                "B01-123100007847653858-20261203-000001-0",
                "trading.code.platform",
            ),
            (
                "B01-123100007847653857-20261332-000001-0",
                "trading.code.date",
            ),
            (
                "B01-123100007847653857-20261203-000000-0",
                "trading.code.sequence",
            ),
            (
                "B01-123100007847653857-20261203-00001-0",
                "trading.code.sequence",
            ),
            (
                "B01-123100007847653857-20261203-000001-#",
                "trading.code.check",
            ),
        ];
        for (s, code) in cases {
            assert_eq!(TransactionCode::parse(s).unwrap_err().code, code, "{s}");
        }
        let last = good.chars().last().unwrap();
        let wrong = if last == '0' { '1' } else { '0' };
        let bad = format!("{}{wrong}", &good[..good.len() - 1]);
        assert_eq!(
            TransactionCode::parse(&bad).unwrap_err().code,
            "trading.code.checksum"
        );
        assert!(TransactionCode::parse_foreign(&bad).is_ok());
        assert!(TransactionCode::new(TradeField::Other, 0, &platform(), date(), 1).is_err());
        assert!(
            TransactionCode::new(TradeField::Other, 1, &platform(), date(), 1_000_000).is_err()
        );
    }

    #[test]
    fn section_numbers_pad_to_three_digits() {
        assert_eq!(
            section_number_code("e3100000151008459002", 1).unwrap(),
            "E3100000151008459002001"
        );
        assert!(section_number_code("", 1).is_err());
        assert!(section_number_code("P1", 0).is_err());
        assert!(section_number_code("P-1", 1).is_err());
    }

    proptest! {
        #[test]
        fn every_issued_code_parses(field in 0usize..7, sub in 1u8..=99, seq in 1u32..=999_999, days in 0i64..40_000) {
            let d = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::TimeDelta::days(days);
            let c = TransactionCode::new(TradeField::ALL[field], sub, &platform(), d, seq).unwrap();
            prop_assert_eq!(TransactionCode::parse(c.as_str()).unwrap(), c.clone());
            prop_assert_eq!(c.registration_date(), d);
            prop_assert_eq!(c.sequence(), seq);
        }

        #[test]
        fn any_single_substitution_is_detected(seq in 1u32..=999_999, pos in 0usize..34, delta in 1u32..36) {
            let c = TransactionCode::new(TradeField::Construction, 1, &platform(), date(), seq).unwrap();
            let payload: Vec<u8> = c.as_str()[..38].bytes().filter(|&b| b != b'-').collect();
            let mut changed = payload.clone();
            let v = alnum_value(changed[pos]).unwrap();
            changed[pos] = ALNUM[((v + delta) % 36) as usize];
            let a = mod37_36_check_char(std::str::from_utf8(&payload).unwrap());
            let b = mod37_36_check_char(std::str::from_utf8(&changed).unwrap());
            prop_assert_ne!(a, b);
        }
    }
}
