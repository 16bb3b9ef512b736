//! 大写金额: amounts in Chinese capital numerals, as the award notice and contract print them
//! and as bid forms state them (会计基础工作规范 Art. 52). [`super::clarification`] reads them back
//! to apply "大写金额为准" when words and figures disagree.
//!
//! The written form is one canonical choice among those Art. 52 allows: one 零 for any run of
//! zeros inside the number (壹拾万零伍佰元整), none between 元 and 角 (壹仟陆佰捌拾元叁角贰分), the
//! required 零 when 角 is zero and 分 is not (壹万陆仟肆佰零玖元零贰分), 整 after 元 or 角, 壹拾 for
//! a leading ten. The reader accepts the other allowed forms as well (extra 零, 圆, 正, 人民币).

use rust_decimal::Decimal;

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
const UNITS: [&str; 4] = ["", "拾", "佰", "仟"];
const SECTIONS: [&str; 3] = ["", "万", "亿"];

/// The capital-numeral form of a yuan amount with at most 2 decimals, from 0 up to (not
/// including) 1万亿 (10¹²) yuan — beyond any contract on the platform, and where the 万亿 forms
/// begin; `None` otherwise.
pub fn to_capital(amount: Decimal) -> Option<String> {
    if amount < Decimal::ZERO || !super::has_at_most_places(amount, 2) {
        return None;
    }
    let fen_total = (amount * Decimal::ONE_HUNDRED).trunc();
    let fen_total: u128 = fen_total.to_string().parse().ok()?;
    let yuan = fen_total / 100;
    let jiao = (fen_total / 10 % 10) as usize;
    let fen = (fen_total % 10) as usize;
    if yuan >= 10u128.pow(12) {
        return None;
    }
    let mut out = String::new();
    if yuan > 0 {
        let digits: Vec<usize> = yuan
            .to_string()
            .bytes()
            .map(|b| (b - b'0') as usize)
            .collect();
        let n = digits.len();
        let mut pending_zero = false;
        let mut group_nonzero = false;
        for (i, &d) in digits.iter().enumerate() {
            let p = n - 1 - i;
            if d == 0 {
                pending_zero = true;
            } else {
                if pending_zero {
                    out.push('零');
                }
                pending_zero = false;
                group_nonzero = true;
                out.push(DIGITS[d]);
                out.push_str(UNITS[p % 4]);
            }
            if p.is_multiple_of(4) {
                if group_nonzero {
                    out.push_str(SECTIONS[p / 4]);
                    // Zeros ending a group are silent before its section word; they speak only
                    // when the next group starts with zeros.
                    pending_zero = false;
                }
                group_nonzero = false;
            }
        }
        out.push('元');
    }
    match (jiao, fen) {
        (0, 0) if yuan == 0 => out.push_str("零元整"),
        (0, 0) => out.push('整'),
        (j, 0) => {
            out.push(DIGITS[j]);
            out.push_str("角整");
        }
        (0, f) => {
            if yuan > 0 {
                out.push('零');
            }
            out.push(DIGITS[f]);
            out.push('分');
        }
        (j, f) => {
            out.push(DIGITS[j]);
            out.push('角');
            out.push(DIGITS[f]);
            out.push('分');
        }
    }
    Some(out)
}

/// Reads a capital-numeral amount (below 1万亿 yuan) back (`人民币` prefix, `整`/`正` suffix, `圆` for `元` and
/// extra `零` accepted); `None` if it is not one.
pub fn from_capital(text: &str) -> Option<Decimal> {
    let s = text.trim().trim_start_matches("人民币").trim();
    let s = s.trim_end_matches(['整', '正']);
    if s.is_empty() {
        return None;
    }
    let mut yi_part: u128 = 0; // whole 亿 and 万亿 so far, in yuan
    let mut wan_part: u128 = 0; // the 万 section, in units of 10⁴
    let mut section: u128 = 0;
    let mut number: Option<u128> = None;
    let mut yuan: Option<u128> = None;
    let (mut jiao, mut fen) = (0u128, 0u128);
    let mut after_yuan = false;
    let mut last_small = false; // saw 角 (so only 分 may follow)
    for c in s.chars() {
        if let Some(d) = DIGITS.iter().position(|x| *x == c) {
            if d == 0 {
                continue;
            }
            if number.is_some() {
                return None;
            }
            number = Some(d as u128);
            continue;
        }
        match c {
            '拾' | '佰' | '仟' if !after_yuan => {
                let unit = match c {
                    '拾' => 10,
                    '佰' => 100,
                    _ => 1000,
                };
                let n = match (number.take(), c) {
                    (Some(n), _) => n,
                    (None, '拾') => 1,
                    _ => return None,
                };
                section += n * unit;
            }
            '万' if !after_yuan => {
                let v = section + number.take().unwrap_or(0);
                section = 0;
                wan_part += v;
            }
            '亿' if !after_yuan => {
                let v = wan_part * 10_000 + section + number.take().unwrap_or(0);
                if yi_part > 0 {
                    return None;
                }
                yi_part = v * 100_000_000;
                wan_part = 0;
                section = 0;
            }
            '元' | '圆' if !after_yuan => {
                let v = yi_part + wan_part * 10_000 + section + number.take().unwrap_or(0);
                yuan = Some(v);
                after_yuan = true;
            }
            '角' if !last_small => {
                jiao = number.take()?;
                last_small = true;
                after_yuan = true;
            }
            '分' => {
                fen = number.take()?;
                after_yuan = true;
                last_small = true;
            }
            _ => return None,
        }
    }
    if number.is_some() {
        return None;
    }
    let yuan = yuan.unwrap_or(0);
    let fen_total = yuan.checked_mul(100)? + jiao * 10 + fen;
    let v = i128::try_from(fen_total).ok()?;
    Decimal::try_from_i128_with_scale(v, 2).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::testutil::*;
    use proptest::prelude::*;

    #[test]
    fn the_examples_of_the_accounting_rules() {
        let cases = [
            ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
            ("107000.53", "壹拾万柒仟元伍角叁分"),
            ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
            ("325.04", "叁佰贰拾伍元零肆分"),
            ("100000", "壹拾万元整"),
            ("105000", "壹拾万伍仟元整"),
            ("100500", "壹拾万零伍佰元整"),
            ("100005000", "壹亿零伍仟元整"),
            ("9876543.20", "玖佰捌拾柒万陆仟伍佰肆拾叁元贰角整"),
            ("0.5", "伍角整"),
            ("0.05", "伍分"),
            ("0", "零元整"),
            (
                "999999999999.99",
                "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分",
            ),
        ];
        for (n, w) in cases {
            assert_eq!(to_capital(d(n)).as_deref(), Some(w), "{n}");
            assert_eq!(from_capital(w), Some(d(n)), "{w}");
        }
        assert_eq!(to_capital(d("-1")), None);
        assert_eq!(to_capital(d("1.001")), None);
        assert_eq!(to_capital(d("1000000000000")), None);
    }

    #[test]
    fn other_allowed_forms_are_read() {
        assert_eq!(
            from_capital("人民币壹仟陆佰捌拾元零叁角贰分"),
            Some(d("1680.32"))
        );
        assert_eq!(from_capital("壹拾万零柒仟元伍角叁分"), Some(d("107000.53")));
        assert_eq!(from_capital("拾万圆正"), Some(d("100000")));
        assert_eq!(from_capital("壹佰万元"), Some(d("1000000")));
        assert_eq!(from_capital("123"), None);
        assert_eq!(from_capital(""), None);
        assert_eq!(from_capital("壹贰元"), None);
        assert_eq!(from_capital("伍分叁角"), None);
    }

    proptest! {
        #[test]
        fn written_amounts_read_back(fen in 0i64..100_000_000_000_000) {
            let x = Decimal::new(fen, 2);
            let w = to_capital(x).unwrap();
            prop_assert_eq!(from_capital(&w), Some(x), "{}", w);
            prop_assert!(!w.contains("零零"));
        }
    }
}
