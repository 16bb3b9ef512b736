//! End-to-end search benchmark (not part of CI): the hall's search as users get it — the index
//! ranks, the database supplies each hit's name, department and limits — over N generated items
//! imported through the real importer into a real database, against bare tantivy on the same
//! index in the same run.
//!
//! ```text
//! cargo run --release -p yiwang-app --example search_e2e -- --items 100000 [--pg URL]
//! ```

use std::time::{Duration, Instant};

use tantivy::collector::TopDocs;
use yiwang_app::App;
use yiwang_app::catalog::import::{ImportOptions, import};
use yiwang_core::catalog::table::{COLUMNS, format_item};
use yiwang_core::catalog::*;
use yiwang_search::Filters;

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// An object of a department's items, with its everyday aliases.
type Object = (&'static str, &'static [&'static str]);

/// (department suffix, objects)
const DEPTS: &[(&str, &[Object])] = &[
    (
        "市场监督管理局",
        &[
            ("食品经营", &["开饭店", "开餐馆"]),
            ("企业设立", &["营业执照", "开公司"]),
            ("药品零售", &["开药店"]),
        ],
    ),
    (
        "公安局",
        &[
            ("居民身份证", &["身份证"]),
            ("户口迁移", &["迁户口", "落户"]),
            ("居住证", &["暂住证"]),
        ],
    ),
    (
        "卫生健康委员会",
        &[
            ("出生医学证明", &["生孩子", "出生证"]),
            ("医师执业", &["行医"]),
        ],
    ),
    (
        "人力资源和社会保障局",
        &[("社会保险", &["社保"]), ("失业保险金", &["失业金"])],
    ),
    (
        "住房和城乡建设局",
        &[
            ("建筑工程施工", &["施工许可证", "开工"]),
            ("住房公积金提取", &["取公积金"]),
        ],
    ),
    (
        "自然资源和规划局",
        &[("不动产", &["过户", "房产证"]), ("建设用地规划", &["用地"])],
    ),
    ("交通运输局", &[("道路货物运输", &["跑运输", "货运"])]),
];
const STEMS: &[&str] = &[
    "许可", "登记", "备案", "证明", "审批", "核准", "申领", "注册", "变更", "注销",
];

fn body(i: usize, rng: &mut Lcg) -> (ItemBody, &'static str) {
    let (dept, objects) = *rng.pick(DEPTS);
    let (object, aliases) = *rng.pick(objects);
    let stem = *rng.pick(STEMS);
    let item_type = *rng.pick(&[
        ItemType::Licence,
        ItemType::PublicService,
        ItemType::Confirmation,
        ItemType::Benefit,
    ]);
    let code = format!(
        "{}{:04}{:03}{:03}",
        item_type.code(),
        1000 + i / 1_000_000,
        (i / 1000) % 1000,
        i % 1000
    );
    let name = format!("{object}{stem}({i})");
    (
        ItemBody {
            code: ItemCode::parse(&code).expect("generated code"),
            name: name.clone(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            item_type,
            level: Level::City,
            legal_basis: vec![Basis {
                title: "《中华人民共和国行政许可法》".into(),
                article: "第十二条".into(),
            }],
            legal_limit_days: 20,
            promised_limit_days: 10,
            special_procedures: vec![],
            materials: vec![
                Material {
                    name: format!("{object}{stem}申请表"),
                    form: MaterialForm::Original,
                    count: 1,
                    required: true,
                    verified_online: false,
                    blank_form: None,
                    sample: None,
                },
                Material {
                    name: "居民身份证".into(),
                    form: MaterialForm::ELicence,
                    count: 1,
                    required: true,
                    verified_online: true,
                    blank_form: None,
                    sample: None,
                },
            ],
            fees: vec![],
            online: rng.next() % 10 < 9,
            fully_online: false,
            at_most_once: rng.next().is_multiple_of(2),
            handling_kind: HandlingKind::Promised,
            tongban: vec![],
            steps: vec![Step {
                name: "受理".into(),
                role: "window_officer".into(),
                limit_days: 1,
            }],
            result_type: ResultType::ApprovalDocument,
            result_name: format!("{name}决定书"),
            delivery_modes: vec![DeliveryMode::Window],
            conditions: format!("需要办理{object}{stem}的申请人"),
            description: String::new(),
            consult_phone: "0527-84000000".into(),
            complaint_phone: "12345".into(),
            form_fields: vec![],
        },
        dept,
    )
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let n: usize = arg("--items")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let rounds: usize = arg("--rounds").and_then(|v| v.parse().ok()).unwrap_or(100);
    let dir = std::env::temp_dir().join(format!("yiwang-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = arg("--pg").unwrap_or_else(|| format!("sqlite://{}", dir.join("bench.db").display()));
    let store = yiwang_store::open(&url).await.expect("open");
    store.migrate().await.expect("migrate");
    let app = App::start(store).await.expect("start");
    yiwang_app::demo::build(&app).await.expect("organisations");

    let started = Instant::now();
    let mut rng = Lcg(20261125);
    let header: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    let mut i = 0;
    while i < n {
        let mut grid = vec![header.clone()];
        for _ in 0..5000.min(n - i) {
            let (b, dept) = body(i, &mut rng);
            grid.push(format_item(&b, &format!("宿迁市{dept}"), true));
            i += 1;
        }
        import(&app, None, &grid, None, ImportOptions::default())
            .await
            .expect("import");
        eprint!("\rimported {i}/{n}");
    }
    eprintln!();
    println!(
        "imported {n} items (publish + index) in {:.1} s; index holds {} documents",
        started.elapsed().as_secs_f64(),
        app.search().index.doc_count()
    );

    let county = Filters {
        level: Some("市级".into()),
        flags: vec!["online".into()],
        ..Default::default()
    };
    let queries: Vec<(&str, Filters)> = vec![
        ("开饭店", Filters::default()),
        ("营业执照", Filters::default()),
        ("生孩子", Filters::default()),
        ("施工许可", Filters::default()),
        ("身份证", Filters::default()),
        ("社保", Filters::default()),
        ("公积金提取", Filters::default()),
        ("不动产登记", Filters::default()),
        ("医师执业注册", Filters::default()),
        ("道路运输许可", Filters::default()),
        ("许可", county),
    ];
    let index = &app.search().index;
    let bare_queries: Vec<_> = queries
        .iter()
        .map(|(q, f)| index.build_query(q, f).expect("query"))
        .collect();
    let top10 = TopDocs::with_limit(10).order_by_score();
    let (mut ours, mut bare) = (Vec::new(), Vec::new());
    for round in 0..rounds + 10 {
        for (k, (q, f)) in queries.iter().enumerate() {
            let t = Instant::now();
            let page = yiwang_app::catalog::search::search(&app, q, f, 0, 10)
                .await
                .expect("search");
            let d1 = t.elapsed();
            let t = Instant::now();
            let hits = index
                .searcher()
                .search(&*bare_queries[k], &top10)
                .expect("bare");
            let d2 = t.elapsed();
            assert!(page.hits.len() <= 10 && hits.len() <= 10);
            if round >= 10 {
                ours.push(d1);
                bare.push(d2);
            }
        }
    }
    ours.sort();
    bare.sort();
    let (o50, o99, b50, b99) = (
        percentile(&ours, 0.5),
        percentile(&ours, 0.99),
        percentile(&bare, 0.5),
        percentile(&bare, 0.99),
    );
    println!(
        "{} timed searches each ({} rounds × {} queries), milliseconds:",
        ours.len(),
        rounds,
        queries.len()
    );
    println!("                         p50      p99      max");
    println!(
        "yiwang search (e2e)  {o50:>8.3} {o99:>8.3} {:>8.3}",
        ours.last().unwrap().as_secs_f64() * 1000.0
    );
    println!(
        "bare tantivy top-10  {b50:>8.3} {b99:>8.3} {:>8.3}",
        bare.last().unwrap().as_secs_f64() * 1000.0
    );
    println!("ratio e2e/bare       {:>8.2} {:>8.2}", o50 / b50, o99 / b99);
    app.store.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
