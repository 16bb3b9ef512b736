//! 个人信息识别: finds text that looks like personal data in free text (a consultation that is to be
//! published as an FAQ, for instance), so that it can be removed before anything is made public.
//!
//! The detector is deliberately eager on the strong patterns (numbers shaped like an identity
//! number, a mobile or landline number, a bank card, an e-mail address, a vehicle plate) and
//! cue-driven on the weak ones (names and home addresses are only flagged after words such as
//! 我叫 / 姓名 / 住址, or when an address names a building, unit or room), so that ordinary guide
//! text — time limits, item codes, dates, fees, the address of a service hall — passes.
//!
//! Spans are byte ranges into the text given. Full-width digits, 'Ｘ', '－' and the ideographic
//! space are read as their ASCII forms.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

/// What kind of personal data was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonalDataKind {
    /// 身份证号码 (18 digits, or the old 15).
    IdNumber,
    /// 手机号码.
    Mobile,
    /// 固定电话.
    Landline,
    /// 电子邮箱.
    Email,
    /// 车牌号码.
    Plate,
    /// 银行卡号.
    BankCard,
    /// 住址.
    Address,
    /// 姓名.
    Name,
}

impl PersonalDataKind {
    /// Stable machine-readable name (part of the API contract).
    pub fn code(self) -> &'static str {
        match self {
            Self::IdNumber => "id_number",
            Self::Mobile => "mobile",
            Self::Landline => "landline",
            Self::Email => "email",
            Self::Plate => "plate",
            Self::BankCard => "bank_card",
            Self::Address => "address",
            Self::Name => "name",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::IdNumber => "身份证号码",
            Self::Mobile => "手机号码",
            Self::Landline => "固定电话",
            Self::Email => "电子邮箱",
            Self::Plate => "车牌号码",
            Self::BankCard => "银行卡号",
            Self::Address => "住址",
            Self::Name => "姓名",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::IdNumber => "ID number",
            Self::Mobile => "mobile number",
            Self::Landline => "landline number",
            Self::Email => "e-mail address",
            Self::Plate => "vehicle plate",
            Self::BankCard => "bank card number",
            Self::Address => "address",
            Self::Name => "name",
        }
    }
}

/// One finding: its kind and the byte range of the text it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finding {
    pub kind: PersonalDataKind,
    pub start: usize,
    pub end: usize,
}

/// The text with its look-alike characters folded to ASCII, and for every byte of the folded text
/// the byte offset of its character in the original (plus one past the end).
struct Folded {
    text: String,
    origin: Vec<usize>,
}

fn fold(text: &str) -> Folded {
    let mut out = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len() + 1);
    for (at, c) in text.char_indices() {
        let f = match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            'Ｘ' => 'X',
            'ｘ' => 'x',
            '－' | '—' | '–' => '-',
            '\u{3000}' => ' ',
            _ => c,
        };
        out.push(f);
        origin.extend(std::iter::repeat_n(at, f.len_utf8()));
    }
    origin.push(text.len());
    Folded { text: out, origin }
}

static NUMBER_GROUP: LazyLock<Regex> = LazyLock::new(|| {
    // Digit runs joined by single spaces or dashes, optionally ending in X (identity numbers).
    Regex::new(r"[0-9]+(?:[ \-][0-9]+)*[Xx]?").expect("valid")
});
static PARENS_AREA: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[(（]0[1-9][0-9]{1,2}[)）] ?[0-9]{7,8}").expect("valid"));
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
        .expect("valid")
});
static PLATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Za-hj-np-z][·•\- ]?[A-HJ-NP-Za-hj-np-z0-9]{4,5}[A-HJ-NP-Za-hj-np-z0-9挂学警]",
    )
    .expect("valid")
});
/// Residential detail: building, unit, room (3栋2单元501室, 5号楼302, 12-3-401).
static ADDRESS_DETAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:[\p{Han}A-Za-z0-9]{0,24}?(?:省|市|区|县|镇|乡|村|路|街|道|巷|弄|里|小区|花园|公寓|大厦|苑|园))?[0-9一二三四五六七八九十]+(?:栋|幢|号楼|单元)[0-9一二三四五六七八九十\-]*(?:单元)?[0-9\-]*(?:室|号|层|楼)?|[0-9]{1,3}-[0-9]{1,2}-[0-9]{3,4}室?|[0-9]{3,4}室",
    )
    .expect("valid")
});
/// An address after a cue word (住址/地址/家住/住在): the words up to a house number.
static ADDRESS_CUED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:住址|家庭地址|家住|住在|居住地|现住|我家在|户籍地址|地址)[:：是为在]?\s*([\p{Han}A-Za-z0-9\-]{2,40}?(?:[0-9一二三四五六七八九十]+(?:号|弄|栋|幢|单元|室|组)|村|小区))",
    )
    .expect("valid")
});
/// Cues that introduce a name for sure (我叫, 姓名:).
static NAME_STRONG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:我叫|我的名字是|我的名字叫|姓名[:：]|姓名是|姓名为|名字[:：]|名字是|名字叫)\s*(\p{Han}{2,4})")
        .expect("valid")
});
/// Cues that may introduce a name (联系人李四) but also ordinary guide text (申请人应当…): without a
/// colon, the name must stand alone, followed by something other than a Chinese character.
static NAME_WEAK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:本人|联系人|申请人|经办人|委托人|代理人|法定代表人|我是)([:：])?\s*(\p{Han}{2,4})",
    )
    .expect("valid")
});
static NAME_TITLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\p{Han}{1,2})(?:先生|女士|小姐)").expect("valid"));

/// Common Chinese surnames (百家姓, the most frequent), single and compound.
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝";
const COMPOUND_SURNAMES: [&str; 12] = [
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文",
];

fn looks_like_name(s: &str) -> bool {
    let n = s.chars().count();
    if COMPOUND_SURNAMES.iter().any(|c| s.starts_with(c)) {
        return (3..=4).contains(&n);
    }
    let Some(first) = s.chars().next() else {
        return false;
    };
    (2..=3).contains(&n) && SURNAMES.contains(first)
}

/// A name at the start of `g`: the longest prefix of 2–4 characters that looks like one.
fn name_prefix(g: regex::Match<'_>) -> Option<Finding> {
    let cand = g.as_str();
    let ends: Vec<usize> = cand
        .char_indices()
        .map(|(i, _)| i)
        .skip(1)
        .chain([cand.len()])
        .collect();
    let end = ends.iter().rev().find(|&&e| looks_like_name(&cand[..e]))?;
    Some(Finding {
        kind: PersonalDataKind::Name,
        start: g.start(),
        end: g.start() + end,
    })
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

fn valid_birth(y: u32, m: u32, d: u32) -> bool {
    chrono::NaiveDate::from_ymd_opt(y as i32, m, d).is_some()
}

fn num(s: &str) -> u32 {
    s.parse().unwrap_or(0)
}

fn luhn(digits: &str) -> bool {
    let mut sum = 0;
    for (i, c) in digits.bytes().rev().enumerate() {
        let mut v = u32::from(c - b'0');
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum % 10 == 0
}

/// Classifies the digits of one number (separators removed, maybe ending in X).
fn classify_digits(d: &str, separated: bool, first_part_len: usize) -> Option<PersonalDataKind> {
    use PersonalDataKind::*;
    let all_digits = d.bytes().all(|b| b.is_ascii_digit());
    let body_digits = d.len() > 1 && d[..d.len() - 1].bytes().all(|b| b.is_ascii_digit());
    let first = d.as_bytes().first().copied().unwrap_or(b'0');
    if d.len() == 18 && body_digits && (b'1'..=b'8').contains(&first) {
        let (y, m, dd) = (num(&d[6..10]), num(&d[10..12]), num(&d[12..14]));
        if (1900..=2099).contains(&y) && valid_birth(y, m, dd) {
            return Some(IdNumber);
        }
    }
    if !all_digits {
        return None;
    }
    if d.len() == 15 && (b'1'..=b'8').contains(&first) {
        let (y, m, dd) = (1900 + num(&d[6..8]), num(&d[8..10]), num(&d[10..12]));
        if valid_birth(y, m, dd) {
            return Some(IdNumber);
        }
    }
    let mobile =
        |s: &str| s.len() == 11 && s.starts_with('1') && (b'3'..=b'9').contains(&s.as_bytes()[1]);
    if mobile(d) || (d.len() == 13 && d.starts_with("86") && mobile(&d[2..])) {
        return Some(Mobile);
    }
    // A landline is written with its area code set apart (010-12345678, 0755 8888 8888).
    if separated
        && first == b'0'
        && (3..=4).contains(&first_part_len)
        && (10..=12).contains(&d.len())
        && d.as_bytes()[1] != b'0'
    {
        return Some(Landline);
    }
    if (16..=19).contains(&d.len()) && (b'3'..=b'6').contains(&first) && luhn(d) {
        return Some(BankCard);
    }
    None
}

fn is_word_char(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphanumeric())
}

fn numbers(f: &Folded, out: &mut Vec<Finding>) {
    let t = &f.text;
    for m in NUMBER_GROUP.find_iter(t) {
        let before = t[..m.start()].chars().next_back();
        let after = t[m.end()..].chars().next();
        if is_word_char(before) || is_word_char(after) {
            continue; // part of a code such as A12345678901 or 12345678901B
        }
        // Parts: (start, end) byte ranges of digit runs (the X stays with the last part).
        let s = m.as_str();
        let mut parts: Vec<(usize, usize)> = Vec::new();
        let mut cur = None;
        for (i, c) in s.char_indices() {
            if c == ' ' || c == '-' {
                if let Some(st) = cur.take() {
                    parts.push((st, i));
                }
            } else if cur.is_none() {
                cur = Some(i);
            }
        }
        if let Some(st) = cur {
            parts.push((st, s.len()));
        }
        // Try every run of consecutive parts, longest first, keeping non-overlapping matches.
        let mut taken = vec![false; parts.len()];
        let max = parts.len().min(8);
        for len in (1..=max).rev() {
            for i in 0..=(parts.len() - len) {
                if taken[i..i + len].iter().any(|&x| x) {
                    continue;
                }
                let (a, b) = (parts[i].0, parts[i + len - 1].1);
                let digits: String = s[a..b].chars().filter(|c| *c != ' ' && *c != '-').collect();
                // A landline's area code comes first in its group.
                let first_len = if i == 0 { parts[i].1 - parts[i].0 } else { 0 };
                if let Some(kind) = classify_digits(&digits, len > 1, first_len) {
                    taken[i..i + len].iter_mut().for_each(|x| *x = true);
                    out.push(Finding {
                        kind,
                        start: m.start() + a,
                        end: m.start() + b,
                    });
                }
            }
        }
    }
    for m in PARENS_AREA.find_iter(t) {
        if !is_word_char(t[m.end()..].chars().next()) {
            out.push(Finding {
                kind: PersonalDataKind::Landline,
                start: m.start(),
                end: m.end(),
            });
        }
    }
}

/// Every piece of text in `text` that looks like personal data, sorted by position. Overlapping
/// findings are merged into the earlier (or longer) one.
pub fn detect(text: &str) -> Vec<Finding> {
    use PersonalDataKind::*;
    let f = fold(text);
    let t = &f.text;
    let mut found: Vec<Finding> = Vec::new();
    for m in EMAIL.find_iter(t) {
        found.push(Finding {
            kind: Email,
            start: m.start(),
            end: m.end(),
        });
    }
    numbers(&f, &mut found);
    for m in PLATE.find_iter(t) {
        if !is_word_char(t[m.end()..].chars().next()) {
            found.push(Finding {
                kind: Plate,
                start: m.start(),
                end: m.end(),
            });
        }
    }
    for m in ADDRESS_DETAIL.find_iter(t) {
        found.push(Finding {
            kind: Address,
            start: m.start(),
            end: m.end(),
        });
    }
    for c in ADDRESS_CUED.captures_iter(t) {
        let g = c.get(1).expect("group");
        found.push(Finding {
            kind: Address,
            start: g.start(),
            end: g.end(),
        });
    }
    for c in NAME_STRONG.captures_iter(t) {
        found.extend(name_prefix(c.get(1).expect("group")));
    }
    for c in NAME_WEAK.captures_iter(t) {
        let g = c.get(2).expect("group");
        if c.get(1).is_some() {
            found.extend(name_prefix(g));
            continue;
        }
        let alone = !t[g.end()..].chars().next().is_some_and(is_han);
        if alone && looks_like_name(g.as_str()) {
            found.push(Finding {
                kind: Name,
                start: g.start(),
                end: g.end(),
            });
        }
    }
    for c in NAME_TITLE.captures_iter(t) {
        let g = c.get(1).expect("group");
        let s = g.as_str();
        // 王先生 or 欧阳女士: the surname directly before the title.
        let surname = if COMPOUND_SURNAMES.contains(&s) {
            Some(g.start())
        } else {
            s.chars()
                .last()
                .filter(|ch| SURNAMES.contains(*ch))
                .map(|ch| g.end() - ch.len_utf8())
        };
        if let Some(start) = surname {
            let end = c.get(0).expect("match").end();
            found.push(Finding {
                kind: Name,
                start,
                end,
            });
        }
    }
    found.sort_by_key(|x| (x.start, std::cmp::Reverse(x.end)));
    let mut merged: Vec<Finding> = Vec::new();
    for x in found {
        match merged.last_mut() {
            Some(last) if x.start < last.end || (x.start == last.end && x.kind == last.kind) => {
                last.end = last.end.max(x.end)
            }
            _ => merged.push(x),
        }
    }
    // Back to byte offsets of the original text.
    merged
        .into_iter()
        .map(|x| Finding {
            kind: x.kind,
            start: f.origin[x.start],
            end: f.origin[x.end],
        })
        .collect()
}

/// The distinct kinds among `findings`, in a fixed order.
pub fn kinds(findings: &[Finding]) -> Vec<PersonalDataKind> {
    let mut k: Vec<PersonalDataKind> = findings.iter().map(|f| f.kind).collect();
    k.sort();
    k.dedup();
    k
}

/// `text` with every finding replaced by ＊ (one per character), e.g. as a starting point for
/// the public wording.
pub fn mask(text: &str, findings: &[Finding]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in findings {
        if f.start < at {
            continue;
        }
        out.push_str(&text[at..f.start]);
        out.extend(std::iter::repeat_n(
            '＊',
            text[f.start..f.end].chars().count(),
        ));
        at = f.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::PersonalDataKind::*;
    use super::*;
    use proptest::prelude::*;

    fn found(text: &str) -> Vec<(PersonalDataKind, &str)> {
        detect(text)
            .into_iter()
            .map(|f| (f.kind, &text[f.start..f.end]))
            .collect()
    }

    #[test]
    fn identity_numbers() {
        // Valid check digit, invalid check digit, X, spaces, full-width, old 15-digit.
        assert_eq!(
            found("身份证110101199003074514"),
            vec![(IdNumber, "110101199003074514")]
        );
        assert_eq!(
            found("号码110101199003074515。"),
            vec![(IdNumber, "110101199003074515")]
        );
        assert_eq!(
            found("11010519491231002X"),
            vec![(IdNumber, "11010519491231002X")]
        );
        assert_eq!(
            found("110101 19900307 4514"),
            vec![(IdNumber, "110101 19900307 4514")]
        );
        assert_eq!(
            found("证件号１１０１０１１９９００３０７４５１４"),
            vec![(IdNumber, "１１０１０１１９９００３０７４５１４")]
        );
        assert_eq!(
            found("旧证号130503670401001"),
            vec![(IdNumber, "130503670401001")]
        );
    }

    #[test]
    fn phone_numbers_mail_and_cards() {
        assert_eq!(found("电话13800138000"), vec![(Mobile, "13800138000")]);
        assert_eq!(
            found("手机:138 0013 8000,谢谢"),
            vec![(Mobile, "138 0013 8000")]
        );
        assert_eq!(
            found("+86-139-1234-5678"),
            vec![(Mobile, "86-139-1234-5678")]
        );
        assert_eq!(found("座机010-12345678"), vec![(Landline, "010-12345678")]);
        assert_eq!(found("0755 8888 8888"), vec![(Landline, "0755 8888 8888")]);
        assert_eq!(found("(0571)87654321"), vec![(Landline, "(0571)87654321")]);
        assert_eq!(
            found("发到zhang.san@example.com"),
            vec![(Email, "zhang.san@example.com")]
        );
        assert_eq!(found("卡号6222020200112233445"), vec![]); // fails Luhn
        assert_eq!(
            found("卡号6222 0202 0011 2233 446"),
            vec![(BankCard, "6222 0202 0011 2233 446")]
        );
        assert_eq!(
            found("6222020200112233446"),
            vec![(BankCard, "6222020200112233446")]
        );
        // Two numbers separated by a space are found apart.
        assert_eq!(found("13800138000 2025"), vec![(Mobile, "13800138000")]);
    }

    #[test]
    fn plates_addresses_and_names() {
        assert_eq!(found("车牌京A12345被扣"), vec![(Plate, "京A12345")]);
        assert_eq!(found("粤B·D12345"), vec![(Plate, "粤B·D12345")]);
        assert_eq!(found("沪AD12345"), vec![(Plate, "沪AD12345")]);
        assert_eq!(
            found("我住在杭州市西湖区文三路8号3栋2单元501室"),
            vec![(Address, "杭州市西湖区文三路8号3栋2单元501室")]
        );
        assert_eq!(found("家住幸福小区"), vec![(Address, "幸福小区")]);
        assert_eq!(found("我叫张三,想问"), vec![(Name, "张三")]);
        assert_eq!(found("姓名:欧阳修明"), vec![(Name, "欧阳修明")]);
        assert_eq!(found("联系人李四"), vec![(Name, "李四")]);
        assert_eq!(found("联系人:李四,电话见附件"), vec![(Name, "李四")]);
        assert_eq!(found("本人王五,想问"), vec![(Name, "王五")]);
        assert_eq!(found("请王先生来一趟"), vec![(Name, "王先生")]);
        assert_eq!(found("我是个体户"), vec![]);
        assert_eq!(found("本人身份证丢了"), vec![]);
    }

    #[test]
    fn ordinary_guide_text_passes() {
        let clean = [
            "办理时限20个工作日,法定时限30个工作日。",
            "事项编码:000172003000,实施编码11330100002509212X4000117000",
            "2025-01-01起施行;2025年10月1日至8日放假。",
            "收费标准:每件10元,工本费¥1,200.00。",
            "请拨打12345政务服务便民热线咨询。",
            "请携带营业执照副本及法定代表人身份证原件到市民中心办理。",
            "办理地点:杭州市上城区解放东路18号市民中心C区。",
            "依据《中华人民共和国行政许可法》第三十二条。",
            "统一社会信用代码91330100MA2XXXXX1Y。",
            "个体工商户无需公章,签字即可。",
            "材料一式3份,A4纸打印。",
            "申请人应当提交申请书;本人和配偶均须到场。",
            "姓名应与身份证一致,联系人电话必填,委托人应出具授权委托书。",
            "经办人须持本人身份证原件。",
            "2026-12-28 2027-01-05",
        ];
        for t in clean {
            assert_eq!(found(t), vec![], "{t}");
        }
    }

    #[test]
    fn mask_replaces_every_finding() {
        let t = "我叫张三,电话13800138000";
        let m = mask(t, &detect(t));
        assert_eq!(m, "我叫＊＊,电话＊＊＊＊＊＊＊＊＊＊＊");
        assert!(detect(&m).is_empty());
        assert_eq!(kinds(&detect(t)), vec![Mobile, Name]);
    }

    proptest! {
        #[test]
        fn any_mobile_number_is_found(n in 0u64..1_000_000_000, second in 3u8..10, pre in "[\\p{Han}。,]{0,6}", post in "[\\p{Han}。,]{0,6}") {
            let number = format!("1{second}{n:09}");
            let text = format!("{pre}{number}{post}");
            let f = detect(&text);
            prop_assert_eq!(f.len(), 1);
            prop_assert_eq!(f[0].kind, Mobile);
            prop_assert_eq!(&text[f[0].start..f[0].end], number.as_str());
        }

        #[test]
        fn any_identity_number_is_found(region in 110000u32..660000, days in 0i64..36500, seq in 0u32..1000, check in "[0-9X]") {
            let birth = chrono::NaiveDate::from_ymd_opt(1925, 1, 1).unwrap() + chrono::TimeDelta::days(days);
            let id = format!("{region}{}{seq:03}{check}", birth.format("%Y%m%d"));
            let text = format!("我的身份证号是{id},请核实。");
            let f = detect(&text);
            prop_assert_eq!(f.len(), 1);
            prop_assert_eq!(f[0].kind, IdNumber);
            prop_assert_eq!(&text[f[0].start..f[0].end], id.as_str());
        }

        #[test]
        fn spans_lie_on_char_boundaries_and_masking_removes_them(text in "\\PC{0,80}") {
            let f = detect(&text);
            for x in &f {
                prop_assert!(text.is_char_boundary(x.start) && text.is_char_boundary(x.end) && x.start < x.end);
            }
            for w in f.windows(2) {
                prop_assert!(w[0].end <= w[1].start);
            }
            let _ = mask(&text, &f);
        }

        #[test]
        fn short_numbers_and_dates_never_match(n in 0u32..100_000_000, y in 1990u32..2100, m in 1u32..13, d in 1u32..29) {
            let text = format!("第{n}号,{y}年{m}月{d}日,{y}-{m:02}-{d:02},共{n}元");
            prop_assert_eq!(found(&text), vec![]);
        }
    }
}
