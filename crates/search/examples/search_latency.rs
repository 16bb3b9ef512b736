//! Search latency benchmark (not part of CI).
//!
//! ```text
//! cargo run --release -p yiwang-search --example search_latency -- --items 100000
//! ```
//!
//! Builds an in-RAM [`CatalogIndex`] from N synthetic but plausible items
//! (deterministic LCG, fixed seed) plus the test fixture, then times
//! `CatalogIndex::search(q, filters, 0, 10)` against the bare tantivy search of
//! the very same query (same searcher, `TopDocs` limit 10 by score, no facets,
//! no id mapping). Options: `--items N`, `--rounds R`, `--show` (print the top
//! hits of every query). See docs/benchmarks.md.

#[path = "../tests/fixture/mod.rs"]
mod fixture;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use tantivy::collector::TopDocs;
use yiwang_search::{CatalogIndex, DocKind, Filters, SearchDoc};

/// Tiny deterministic generator (Knuth's MMIX LCG); no `rand` needed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Department, objects (with everyday aliases) and the stems used with them.
struct Dept {
    name: &'static str,
    objects: &'static [(&'static str, &'static [&'static str])],
}

const DEPTS: &[Dept] = &[
    Dept {
        name: "市场监督管理局",
        objects: &[
            ("食品经营", &["开饭店", "开餐馆", "餐饮", "小吃店"]),
            ("食品生产", &["食品厂", "生产食品"]),
            ("企业设立", &["营业执照", "开公司", "注册公司"]),
            ("个体工商户", &["营业执照", "个体户", "开店"]),
            ("药品零售", &["开药店", "药店"]),
            ("特种设备使用", &["电梯", "锅炉"]),
            ("广告发布", &["做广告"]),
            ("计量器具", &["秤", "计量"]),
        ],
    },
    Dept {
        name: "公安局",
        objects: &[
            ("居民身份证", &["身份证", "办身份证"]),
            ("户口迁移", &["迁户口", "落户"]),
            ("出生户口", &["上户口", "新生儿落户"]),
            ("机动车驾驶证", &["驾照", "驾驶证"]),
            ("出入境通行证", &["港澳通行证", "签注"]),
            ("居住证", &["暂住证", "居住证"]),
        ],
    },
    Dept {
        name: "卫生健康委员会",
        objects: &[
            ("出生医学证明", &["生孩子", "出生证"]),
            ("公共场所卫生", &["理发店", "美容院", "卫生许可证"]),
            ("医师执业", &["医生执业", "医师证"]),
            ("护士执业", &["护士证"]),
            ("医疗机构执业", &["开诊所", "诊所"]),
            ("生育服务", &["生育登记", "准生证"]),
        ],
    },
    Dept {
        name: "人力资源和社会保障局",
        objects: &[
            ("失业保险金", &["失业金", "领失业金"]),
            ("社会保障卡", &["社保卡", "社保"]),
            ("养老保险", &["社保", "交社保", "退休金"]),
            ("职业技能", &["技能证书", "职业资格"]),
            ("创业担保贷款", &["创业贷款", "贴息"]),
            ("就业困难人员", &["找工作", "就业补贴"]),
        ],
    },
    Dept {
        name: "住房和城乡建设局",
        objects: &[
            ("建设工程施工", &["施工许可证", "开工"]),
            ("建筑业企业资质", &["建筑资质"]),
            ("商品房预售", &["预售证", "卖房"]),
            ("物业服务", &["物业"]),
        ],
    },
    Dept {
        name: "自然资源和规划局",
        objects: &[
            ("不动产", &["房产证", "过户", "买房"]),
            ("建设工程规划", &["规划许可证", "建房审批"]),
            ("建设用地", &["用地审批", "批地"]),
            ("采矿权", &["开矿", "采矿证"]),
        ],
    },
    Dept {
        name: "税务局",
        objects: &[
            ("契税", &["交契税", "买房交税"]),
            ("发票领用", &["领发票", "开发票"]),
            ("个人所得税", &["个税", "退税"]),
            ("纳税人", &["税务报到", "报税"]),
        ],
    },
    Dept {
        name: "住房公积金管理中心",
        objects: &[
            ("住房公积金提取", &["公积金提取", "取公积金"]),
            ("住房公积金贷款", &["公积金贷款", "买房贷款"]),
            ("住房公积金缴存", &["交公积金"]),
        ],
    },
    Dept {
        name: "交通运输局",
        objects: &[
            ("道路运输经营", &["跑运输", "道路运输证"]),
            ("网络预约出租汽车", &["网约车", "开网约车"]),
            ("道路货物运输驾驶员", &["货车司机", "从业资格证"]),
        ],
    },
    Dept {
        name: "民政局",
        objects: &[
            ("婚姻", &["结婚", "领证", "离婚"]),
            ("最低生活保障", &["低保", "困难补助"]),
            ("社会团体", &["成立协会", "社团"]),
            ("养老服务机构", &["开养老院", "养老院"]),
        ],
    },
];

const STEMS: &[(&str, &str)] = &[
    ("许可", "行政许可"),
    ("登记", "行政确认"),
    ("备案", "其他行政权力"),
    ("证明", "公共服务"),
    ("补贴", "行政给付"),
    ("审批", "行政许可"),
    ("核准", "行政许可"),
    ("申领", "公共服务"),
    ("注册", "行政许可"),
];

const VARIANTS: &[&str] = &["", "", "(新办)", "(变更)", "(注销)", "(延续)", "(补办)"];

const MATERIALS: &[&str] = &[
    "居民身份证",
    "营业执照",
    "申请表",
    "法定代表人身份证明",
    "经营场所证明",
    "授权委托书",
    "户口簿",
    "近期免冠照片",
    "劳动合同",
    "不动产权证书",
    "银行账户信息",
    "承诺书",
    "健康证明",
    "资格证书",
];

const LEVELS: &[&str] = &[
    "县级",
    "县级",
    "县级",
    "市级",
    "市级",
    "乡镇级",
    "省级",
    "村级",
];
const FLAGS: &[&str] = &["online", "fully_online", "at_most_once", "immediate"];
const REGION_A: &[&str] = &[
    "东", "西", "南", "北", "青", "云", "安", "平", "长", "兴", "永", "新", "和", "福", "宁", "泰",
    "丰", "鹤", "龙", "临",
];
const REGION_B: &[&str] = &["山", "河", "阳", "江", "城", "川", "林", "源", "州", "泉"];
const REGION_C: &[&str] = &["县", "区", "市"];

fn synthetic(n: usize, seed: u64) -> Vec<SearchDoc> {
    let mut rng = Lcg(seed);
    (0..n)
        .map(|i| {
            let region = format!(
                "{}{}{}",
                rng.pick(REGION_A),
                rng.pick(REGION_B),
                rng.pick(REGION_C)
            );
            let d = rng.below(DEPTS.len());
            let dept = &DEPTS[d];
            let (object, aliases) = *rng.pick(dept.objects);
            let (stem, item_type) = *rng.pick(STEMS);
            let variant = *rng.pick(VARIANTS);
            let name = format!("{object}{stem}{variant}");
            let alias_count = 1 + rng.below(aliases.len());
            let aliases: Vec<String> = aliases[..alias_count]
                .iter()
                .map(|a| a.to_string())
                .collect();
            let materials: Vec<String> = (0..3 + rng.below(3))
                .map(|_| rng.pick(MATERIALS).to_string())
                .collect();
            let flags: Vec<String> = FLAGS
                .iter()
                .filter(|_| rng.chance(40))
                .map(|f| f.to_string())
                .collect();
            let life_events = if rng.chance(5) {
                vec![format!("LE{:03}", 1 + rng.below(3))]
            } else {
                Vec::new()
            };
            SearchDoc {
                id: format!("S-{i:06}"),
                kind: DocKind::Item,
                description: format!(
                    "申请人办理{object}{stem}，应当向{region}{}提交材料，符合条件的当场办结或在法定时限内办结。",
                    dept.name
                ),
                department_id: format!("D{d:02}-{region}"),
                department_name: format!("{region}{}", dept.name),
                level: rng.pick(LEVELS).to_string(),
                item_type: item_type.to_string(),
                name,
                aliases,
                materials,
                flags,
                life_events,
            }
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx]
}

/// Left-aligns `s` in `width` terminal columns (CJK characters take two).
fn pad(s: &str, width: usize) -> String {
    let used: usize = s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    format!("{s}{}", " ".repeat(width.saturating_sub(used)))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

struct Stats {
    p50: Duration,
    p99: Duration,
    max: Duration,
}

fn stats(mut v: Vec<Duration>) -> Stats {
    v.sort();
    Stats {
        p50: percentile(&v, 0.50),
        p99: percentile(&v, 0.99),
        max: v.last().copied().unwrap_or_default(),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut items = 100_000usize;
    let mut rounds = 200usize;
    let mut show = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--items" => items = args.next().ok_or("--items needs a number")?.parse()?,
            "--rounds" => rounds = args.next().ok_or("--rounds needs a number")?.parse()?,
            "--show" => show = true,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }

    let mut docs = synthetic(items, 0x5EED_2024);
    docs.extend(fixture::fixture_docs());
    let names: HashMap<String, String> = docs
        .iter()
        .map(|d| (d.id.clone(), d.name.clone()))
        .collect();

    let index = CatalogIndex::in_ram()?;
    let started = Instant::now();
    index.replace_all(docs, 1)?;
    let build = started.elapsed();
    let segments = index.searcher().segment_readers().len();
    println!(
        "index: {} docs ({items} synthetic + fixture), built in {:.2} s, {segments} segments",
        index.doc_count(),
        build.as_secs_f64()
    );

    let filtered = Filters {
        level: Some("县级".into()),
        flags: vec!["online".into()],
        ..Filters::default()
    };
    let plain = Filters::default();
    let queries: Vec<(&str, &Filters)> = vec![
        ("开饭店", &plain),
        ("营业执照", &plain),
        ("生孩子", &plain),
        ("施工许可", &plain),
        ("身份证", &plain),
        ("社保", &plain),
        ("公积金提取", &plain),
        ("不动产登记", &plain),
        ("医师执业注册", &plain),
        ("道路运输许可", &plain),
        ("许可 [县级+online]", &filtered),
    ];
    let text = |q: &str| q.split(' ').next().unwrap_or(q).to_string();

    if show {
        for (q, f) in &queries {
            let r = index.search(&text(q), f, 0, 3)?;
            let top: Vec<String> = r
                .hits
                .iter()
                .map(|h| format!("{} {} ({:.1})", h.id, names[&h.id], h.score))
                .collect();
            println!("{q}: total {} → {}", r.total, top.join(" | "));
        }
    }

    let bare_queries = queries
        .iter()
        .map(|(q, f)| index.build_query(&text(q), f))
        .collect::<Result<Vec<_>, _>>()?;
    let searcher = index.searcher();
    let top10 = TopDocs::with_limit(10).order_by_score();

    let mut ours: Vec<Vec<Duration>> = vec![Vec::new(); queries.len()];
    let mut bare: Vec<Vec<Duration>> = vec![Vec::new(); queries.len()];
    let mut totals = vec![0usize; queries.len()];
    let warmup = 20;
    for round in 0..warmup + rounds {
        for (i, (q, f)) in queries.iter().enumerate() {
            let q = text(q);
            let t = Instant::now();
            let r = index.search(&q, f, 0, 10)?;
            let d_ours = t.elapsed();
            let t = Instant::now();
            let top = searcher.search(&*bare_queries[i], &top10)?;
            let d_bare = t.elapsed();
            std::hint::black_box((&r, &top));
            if round >= warmup {
                ours[i].push(d_ours);
                bare[i].push(d_bare);
                totals[i] = r.total;
            }
        }
    }

    println!(
        "\n{rounds} rounds x {} queries after {warmup} warm-up rounds; times in ms",
        queries.len()
    );
    println!(
        "{} {:>7} | {:>7} {:>7} {:>7} | {:>7} {:>7} {:>7}",
        pad("query", 22),
        "total",
        "ours50",
        "ours99",
        "oursMax",
        "bare50",
        "bare99",
        "bareMax"
    );
    for (i, (q, _)) in queries.iter().enumerate() {
        let o = stats(ours[i].clone());
        let b = stats(bare[i].clone());
        println!(
            "{} {:>7} | {:>7.3} {:>7.3} {:>7.3} | {:>7.3} {:>7.3} {:>7.3}",
            pad(q, 22),
            totals[i],
            ms(o.p50),
            ms(o.p99),
            ms(o.max),
            ms(b.p50),
            ms(b.p99),
            ms(b.max)
        );
    }
    let o = stats(ours.into_iter().flatten().collect());
    let b = stats(bare.into_iter().flatten().collect());
    println!("\nall queries pooled   |     p50      p99      max");
    println!(
        "CatalogIndex::search | {:>7.3}  {:>7.3}  {:>7.3}",
        ms(o.p50),
        ms(o.p99),
        ms(o.max)
    );
    println!(
        "bare tantivy TopDocs | {:>7.3}  {:>7.3}  {:>7.3}",
        ms(b.p50),
        ms(b.p99),
        ms(b.max)
    );
    println!(
        "ratio ours/bare      | {:>7.2}  {:>7.2}",
        o.p50.as_secs_f64() / b.p50.as_secs_f64(),
        o.p99.as_secs_f64() / b.p99.as_secs_f64()
    );
    Ok(())
}
