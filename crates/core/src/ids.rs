//! Identifiers that can only be constructed valid ("parse, don't validate").
//!
//! Every type here holds a normalised string that has passed the full national-standard check, so
//! code that receives an [`IdNumber`], [`CreditCode`] or [`RegionCode`] never has to re-check it.
//! Deserialisation goes through the same parser, so invalid values cannot sneak in via JSON either.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Why an identifier was rejected. One variant per failure so callers (and the UI) can give a precise
/// hint instead of a generic "invalid".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("ID number must have 18 characters, found {found}")]
    IdNumberLength { found: usize },
    /// `position` is 1-based, as a clerk would count.
    #[error("ID number has an invalid character {found:?} at position {position}")]
    IdNumberCharacter { position: usize, found: char },
    #[error("ID number contains an invalid birth date {found:?}")]
    IdNumberDate { found: String },
    #[error("ID number check character is {found}, expected {expected}")]
    IdNumberChecksum { expected: char, found: char },
    #[error("credit code must have 18 characters, found {found}")]
    CreditCodeLength { found: usize },
    #[error("credit code has an invalid character {found:?} at position {position}")]
    CreditCodeCharacter { position: usize, found: char },
    #[error("credit code characters 3-8 must be a numeric region code, found {found:?}")]
    CreditCodeRegion { found: String },
    #[error("credit code check character is {found}, expected {expected}")]
    CreditCodeChecksum { expected: char, found: char },
    #[error("region code must be 6 digits and not all zero, found {found:?}")]
    RegionCodeFormat { found: String },
}

impl IdError {
    /// Stable machine-readable code; part of the API contract, never reword these.
    pub fn code(&self) -> &'static str {
        match self {
            IdError::IdNumberLength { .. } => "id_number.length",
            IdError::IdNumberCharacter { .. } => "id_number.character",
            IdError::IdNumberDate { .. } => "id_number.birth_date",
            IdError::IdNumberChecksum { .. } => "id_number.checksum",
            IdError::CreditCodeLength { .. } => "credit_code.length",
            IdError::CreditCodeCharacter { .. } => "credit_code.character",
            IdError::CreditCodeRegion { .. } => "credit_code.region",
            IdError::CreditCodeChecksum { .. } => "credit_code.checksum",
            IdError::RegionCodeFormat { .. } => "region_code.format",
        }
    }

    pub fn message_zh(&self) -> String {
        match self {
            IdError::IdNumberLength { found } => {
                format!("居民身份证号码应为18位，当前为{found}位。")
            }
            IdError::IdNumberCharacter { position, found } => format!(
                "居民身份证号码第{position}位字符“{found}”无效：前17位须为数字，最后一位为数字或X。"
            ),
            IdError::IdNumberDate { found } => {
                format!("居民身份证号码中的出生日期“{found}”无效。")
            }
            IdError::IdNumberChecksum { .. } => {
                "居民身份证号码校验码不正确，请核对号码是否填写有误。".to_string()
            }
            IdError::CreditCodeLength { found } => {
                format!("统一社会信用代码应为18位，当前为{found}位。")
            }
            IdError::CreditCodeCharacter { position, found } => {
                format!("统一社会信用代码第{position}位字符“{found}”无效（不使用I、O、Z、S、V）。")
            }
            IdError::CreditCodeRegion { found } => {
                format!("统一社会信用代码第3至8位应为行政区划代码（6位数字），当前为“{found}”。")
            }
            IdError::CreditCodeChecksum { .. } => {
                "统一社会信用代码校验码不正确，请核对代码是否填写有误。".to_string()
            }
            IdError::RegionCodeFormat { found } => {
                format!("行政区划代码应为6位数字且不全为0，当前为“{found}”。")
            }
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            IdError::IdNumberChecksum { .. } => {
                "The ID number's check character is wrong; please check the number for typos."
                    .to_string()
            }
            IdError::CreditCodeChecksum { .. } => {
                "The unified social credit code's check character is wrong; please check the code for typos."
                    .to_string()
            }
            // The Display text is already user-readable English for the other variants.
            other => {
                let mut s = other.to_string();
                if let Some(first) = s.get(..1) {
                    let upper = first.to_uppercase();
                    s.replace_range(..1, &upper);
                }
                s.push('.');
                s
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 居民身份证号码
// ---------------------------------------------------------------------------------------------

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// 居民身份证号码 (GB 11643): 18 characters, a valid birth date and an ISO 7064 MOD 11-2 check
/// character. Stored with an uppercase `X`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdNumber(String);

/// The ISO 7064 MOD 11-2 check character for the first 17 digits of an ID number, or `None` if the
/// input is not exactly 17 ASCII digits. Used to generate demo IDs.
pub fn id_number_check_char(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = bytes
        .iter()
        .zip(ID_WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(char::from(ID_CHECK_CHARS[(sum % 11) as usize]))
}

impl IdNumber {
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let s = input.trim();
        let count = s.chars().count();
        if count != 18 {
            return Err(IdError::IdNumberLength { found: count });
        }
        let normalised: String = s.chars().map(|c| c.to_ascii_uppercase()).collect();
        for (i, c) in normalised.chars().enumerate() {
            let ok = c.is_ascii_digit() || (i == 17 && c == 'X');
            if !ok {
                return Err(IdError::IdNumberCharacter {
                    position: i + 1,
                    found: c,
                });
            }
        }
        // All ASCII from here on, so byte slicing is safe.
        let date_str = &normalised[6..14];
        birth_date_of(date_str).ok_or_else(|| IdError::IdNumberDate {
            found: date_str.to_string(),
        })?;
        let expected = id_number_check_char(&normalised[..17]).expect("17 ASCII digits");
        let found = char::from(normalised.as_bytes()[17]);
        if expected != found {
            return Err(IdError::IdNumberChecksum { expected, found });
        }
        Ok(IdNumber(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For display in lists and logs: personal data must not be shown in full (个人信息保护).
    pub fn masked(&self) -> String {
        format!("{}{}{}", &self.0[..4], "*".repeat(10), &self.0[14..])
    }

    /// The birth date encoded in characters 7-14.
    pub fn birth_date(&self) -> NaiveDate {
        birth_date_of(&self.0[6..14]).expect("validated at parse time")
    }
}

fn birth_date_of(yyyymmdd: &str) -> Option<NaiveDate> {
    let y: i32 = yyyymmdd.get(0..4)?.parse().ok()?;
    let m: u32 = yyyymmdd.get(4..6)?.parse().ok()?;
    let d: u32 = yyyymmdd.get(6..8)?.parse().ok()?;
    // Nobody alive was born before 1900; such a date is a typo.
    if y < 1900 {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// Debug is masked so an ID number does not end up in full in logs by accident.
impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl TryFrom<String> for IdNumber {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        IdNumber::parse(&value)
    }
}

impl From<IdNumber> for String {
    fn from(value: IdNumber) -> Self {
        value.0
    }
}

impl std::str::FromStr for IdNumber {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IdNumber::parse(s)
    }
}

// ---------------------------------------------------------------------------------------------
// 统一社会信用代码
// ---------------------------------------------------------------------------------------------

/// The 31 characters GB 32100 allows; I, O, Z, S, V are left out because they are easily confused.
const CREDIT_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn credit_value(c: char) -> Option<u32> {
    if !c.is_ascii() {
        return None;
    }
    CREDIT_ALPHABET
        .iter()
        .position(|&a| a == c as u8)
        .map(|p| p as u32)
}

/// 统一社会信用代码 (GB 32100): 18 characters over a 31-character alphabet with a MOD 31 check
/// character. Stored uppercase.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

/// The check character for the first 17 characters of a credit code, or `None` if the input is not
/// 17 characters of the code alphabet (uppercase).
pub fn credit_code_check_char(first17: &str) -> Option<char> {
    if first17.chars().count() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in first17.chars().zip(CREDIT_WEIGHTS) {
        sum += credit_value(c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    Some(char::from(CREDIT_ALPHABET[check as usize]))
}

impl CreditCode {
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let s = input.trim();
        let count = s.chars().count();
        if count != 18 {
            return Err(IdError::CreditCodeLength { found: count });
        }
        let normalised: String = s.chars().map(|c| c.to_ascii_uppercase()).collect();
        for (i, c) in normalised.chars().enumerate() {
            if credit_value(c).is_none() {
                return Err(IdError::CreditCodeCharacter {
                    position: i + 1,
                    found: c,
                });
            }
        }
        let region = &normalised[2..8];
        if !region.bytes().all(|b| b.is_ascii_digit()) {
            return Err(IdError::CreditCodeRegion {
                found: region.to_string(),
            });
        }
        let expected = credit_code_check_char(&normalised[..17]).expect("alphabet checked");
        let found = char::from(normalised.as_bytes()[17]);
        if expected != found {
            return Err(IdError::CreditCodeChecksum { expected, found });
        }
        Ok(CreditCode(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for CreditCode {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        CreditCode::parse(&value)
    }
}

impl From<CreditCode> for String {
    fn from(value: CreditCode) -> Self {
        value.0
    }
}

impl std::str::FromStr for CreditCode {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CreditCode::parse(s)
    }
}

// ---------------------------------------------------------------------------------------------
// 行政区划代码
// ---------------------------------------------------------------------------------------------

/// 行政区划代码 (GB/T 2260): six digits; province, prefecture and county levels are encoded by
/// trailing zeros.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

/// Administrative level of a [`RegionCode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegionLevel {
    /// 省级 (province, autonomous region, municipality).
    Province,
    /// 地级 (prefecture-level city, league).
    Prefecture,
    /// 县级 (county, district, county-level city).
    County,
}

impl RegionCode {
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let s = input.trim();
        if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_digit()) || s == "000000" {
            return Err(IdError::RegionCodeFormat {
                found: s.to_string(),
            });
        }
        Ok(RegionCode(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn level(&self) -> RegionLevel {
        if self.0.ends_with("0000") {
            RegionLevel::Province
        } else if self.0.ends_with("00") {
            RegionLevel::Prefecture
        } else {
            RegionLevel::County
        }
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for RegionCode {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        RegionCode::parse(&value)
    }
}

impl From<RegionCode> for String {
    fn from(value: RegionCode) -> Self {
        value.0
    }
}

impl std::str::FromStr for RegionCode {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegionCode::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Sample numbers published in GB 11643 commentary / widely used test data; check chars verified.
    const VALID_IDS: &[&str] = &["11010519491231002X", "110101199003074477"];
    // Real published codes whose check characters were verified against the algorithm.
    const VALID_CODES: &[&str] = &[
        "91350100M000100Y43",
        "91110000600037341L",
        "91110108551385082Q",
        "91440300708461136T",
        "91110000802100433B",
        "914403001922038216",
    ];

    #[test]
    fn id_number_accepts_valid() {
        for s in VALID_IDS {
            let id = IdNumber::parse(s).unwrap();
            assert_eq!(id.as_str(), *s);
            assert_eq!(id.to_string(), *s);
        }
        assert_eq!(
            IdNumber::parse("11010519491231002X").unwrap().birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
    }

    #[test]
    fn id_number_trims_and_uppercases() {
        let id = IdNumber::parse("  11010519491231002x \n").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
    }

    #[test]
    fn id_number_masked() {
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "1101**********002X");
        assert_eq!(format!("{id:?}"), "IdNumber(1101**********002X)");
    }

    #[test]
    fn id_number_errors() {
        let e = IdNumber::parse("1101051949123100").unwrap_err();
        assert_eq!(e.code(), "id_number.length");
        let e = IdNumber::parse("1101051949123100X2").unwrap_err();
        assert_eq!(e.code(), "id_number.character");
        assert!(matches!(e, IdError::IdNumberCharacter { position: 17, .. }));
        let e = IdNumber::parse("11010519491231002Y").unwrap_err();
        assert_eq!(e.code(), "id_number.character");
        let e = IdNumber::parse("110105194902300020").unwrap_err();
        assert_eq!(e.code(), "id_number.birth_date");
        // Check char correct, but born in 1880.
        let e = IdNumber::parse("440524188001010014").unwrap_err();
        assert_eq!(e.code(), "id_number.birth_date");
        let e = IdNumber::parse("110105194912310021").unwrap_err();
        assert_eq!(e.code(), "id_number.checksum");
        assert_eq!(
            e,
            IdError::IdNumberChecksum {
                expected: 'X',
                found: '1'
            }
        );
        // Full-width digits are not digits here.
        let e = IdNumber::parse("１10105194912310021").unwrap_err();
        assert_eq!(e.code(), "id_number.character");
        assert!(!e.message_zh().is_empty());
        assert!(e.message_en().starts_with("ID number has"));
    }

    #[test]
    fn id_number_serde() {
        let id = IdNumber::parse("11010519491231002X").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"11010519491231002X\"");
        let back: IdNumber = serde_json::from_str("\"11010519491231002x\"").unwrap();
        assert_eq!(back, id);
        assert!(serde_json::from_str::<IdNumber>("\"110105194912310021\"").is_err());
    }

    #[test]
    fn check_char_helpers() {
        assert_eq!(id_number_check_char("11010519491231002"), Some('X'));
        assert_eq!(id_number_check_char("1101051949123100"), None);
        assert_eq!(id_number_check_char("1101051949123100A"), None);
        assert_eq!(credit_code_check_char("91350100M000100Y4"), Some('3'));
        assert_eq!(credit_code_check_char("91350100M000100I4"), None);
        assert_eq!(credit_code_check_char("91350100M000100Y"), None);
    }

    #[test]
    fn credit_code_accepts_valid() {
        for s in VALID_CODES {
            let c = CreditCode::parse(s).unwrap();
            assert_eq!(c.as_str(), *s);
            assert_eq!(c.to_string(), *s);
        }
        let c = CreditCode::parse(" 91350100m000100y43 ").unwrap();
        assert_eq!(c.as_str(), "91350100M000100Y43");
    }

    #[test]
    fn credit_code_errors() {
        assert_eq!(
            CreditCode::parse("91350100M000100Y4").unwrap_err().code(),
            "credit_code.length"
        );
        let e = CreditCode::parse("91350100M000100I43").unwrap_err();
        assert_eq!(e.code(), "credit_code.character");
        assert!(matches!(
            e,
            IdError::CreditCodeCharacter {
                position: 16,
                found: 'I'
            }
        ));
        assert_eq!(
            CreditCode::parse("913A0100M000100Y43").unwrap_err().code(),
            "credit_code.region"
        );
        let e = CreditCode::parse("91350100M000100Y44").unwrap_err();
        assert_eq!(e.code(), "credit_code.checksum");
        assert!(e.message_zh().contains("统一社会信用代码"));
        assert!(e.message_en().contains("check character"));
    }

    #[test]
    fn credit_code_serde() {
        let c: CreditCode = serde_json::from_str("\"91110000600037341L\"").unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"91110000600037341L\"");
        assert!(serde_json::from_str::<CreditCode>("\"91110000600037341M\"").is_err());
    }

    #[test]
    fn region_code() {
        assert_eq!(
            RegionCode::parse("110000").unwrap().level(),
            RegionLevel::Province
        );
        assert_eq!(
            RegionCode::parse("350100").unwrap().level(),
            RegionLevel::Prefecture
        );
        assert_eq!(
            RegionCode::parse(" 110105 ").unwrap().level(),
            RegionLevel::County
        );
        for bad in ["000000", "11000", "1100000", "11000a", "１10000", ""] {
            let e = RegionCode::parse(bad).unwrap_err();
            assert_eq!(e.code(), "region_code.format", "{bad}");
        }
        let r: RegionCode = serde_json::from_str("\"110105\"").unwrap();
        assert_eq!(r.as_str(), "110105");
        assert!(serde_json::from_str::<RegionCode>("\"000000\"").is_err());
    }

    #[test]
    fn every_error_has_messages() {
        let all = [
            IdError::IdNumberLength { found: 3 },
            IdError::IdNumberCharacter {
                position: 1,
                found: 'a',
            },
            IdError::IdNumberDate {
                found: "19990231".into(),
            },
            IdError::IdNumberChecksum {
                expected: 'X',
                found: '1',
            },
            IdError::CreditCodeLength { found: 3 },
            IdError::CreditCodeCharacter {
                position: 1,
                found: 'I',
            },
            IdError::CreditCodeRegion {
                found: "AB0000".into(),
            },
            IdError::CreditCodeChecksum {
                expected: '1',
                found: '2',
            },
            IdError::RegionCodeFormat { found: "x".into() },
        ];
        let mut codes = std::collections::HashSet::new();
        for e in &all {
            assert!(codes.insert(e.code()), "duplicate code {}", e.code());
            assert!(!e.message_zh().is_empty());
            assert!(e.message_en().ends_with('.'));
        }
    }

    fn valid_id_strategy() -> impl Strategy<Value = String> {
        ("[0-9]{6}", 0i64..(200 * 366), "[0-9]{3}").prop_map(|(region, day_offset, seq)| {
            let base = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
            let date = base + chrono::TimeDelta::days(day_offset);
            let first17 = format!("{region}{}{seq}", date.format("%Y%m%d"));
            let check = id_number_check_char(&first17).unwrap();
            format!("{first17}{check}")
        })
    }

    fn valid_credit_strategy() -> impl Strategy<Value = String> {
        (
            "[0-9A-HJ-NP-RTUW-Y]{2}",
            "[0-9]{6}",
            "[0-9A-HJ-NP-RTUW-Y]{9}",
        )
            .prop_map(|(a, region, b)| {
                let first17 = format!("{a}{region}{b}");
                let check = credit_code_check_char(&first17).unwrap();
                format!("{first17}{check}")
            })
    }

    proptest! {
        #[test]
        fn generated_id_numbers_parse(s in valid_id_strategy()) {
            let id = IdNumber::parse(&s).unwrap();
            prop_assert_eq!(id.as_str(), s.as_str());
        }

        #[test]
        fn single_change_in_id_number_is_rejected(
            s in valid_id_strategy(),
            pos in 0usize..18,
            replacement in proptest::sample::select(b"0123456789X".to_vec()),
        ) {
            let mut bytes = s.clone().into_bytes();
            prop_assume!(bytes[pos] != replacement);
            bytes[pos] = replacement;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(IdNumber::parse(&changed).is_err(), "{} accepted", changed);
        }

        #[test]
        fn generated_credit_codes_parse(s in valid_credit_strategy()) {
            let c = CreditCode::parse(&s).unwrap();
            prop_assert_eq!(c.as_str(), s.as_str());
        }

        #[test]
        fn single_change_in_credit_code_is_rejected(
            s in valid_credit_strategy(),
            pos in 0usize..18,
            replacement in proptest::sample::select(CREDIT_ALPHABET.to_vec()),
        ) {
            let mut bytes = s.clone().into_bytes();
            prop_assume!(bytes[pos] != replacement);
            bytes[pos] = replacement;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(CreditCode::parse(&changed).is_err(), "{} accepted", changed);
        }
    }
}
