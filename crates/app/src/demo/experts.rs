//! The experts demo: 2,000 admitted experts across the demo cities and the national specialty
//! classification, written in batches (one transaction and one ledger entry per batch), with
//! employers that create real avoidance cases for the trading demo's sections — current and
//! recent employees of its bidders and of its tenderee, declared interests — plus a suspended and
//! a dismissed expert, penalties, declared unavailable days, one completed and revealed draw
//! (第四标段, opened) and one sealed draw for the section that is tendering now (第三标段).

use std::sync::Arc;

use chrono::{Days, Months, NaiveDate};
use yiwang_core::experts::PoolScope;
use yiwang_core::experts::expert::{DeclaredConflict, Relation, Term, Title, TitleLevel};
use yiwang_core::experts::request::DrawLine;
use yiwang_core::experts::{SeatState, SpecialtyCode};
use yiwang_core::ids::IdNumber;

use super::{demo_credit_code, demo_id_number};
use crate::experts::answers::check_in_at;
use crate::experts::draws::{DrawInput, finish_evaluation_at, request_draw_at, run_draw_at};
use crate::experts::register::{
    Application, Decision, Declaration, EmploymentInput, Imported, PenaltyInput, UnavailableInput,
    add_penalty, decide, declare, import_admitted,
};
use crate::experts::{local_date, tree};
use crate::{App, AppError, AppResult, now_micros};

const HOUR: i64 = 3_600_000_000;
const EXPERTS: usize = 2_000;
const BATCH: usize = 250;

/// What the experts demo made.
#[derive(Debug, Clone, Default)]
pub struct ExpertsDemo {
    pub experts: usize,
    pub draws: usize,
}

/// (city code, districts the experts live in, share of the 2,000).
const CITIES: &[(&str, &[&str], usize)] = &[
    (
        "321300",
        &["321302", "321311", "321322", "321323", "321324"],
        800,
    ),
    ("150100", &["150102", "150103", "150104", "150105"], 400),
    ("150300", &["150302", "150303", "150304"], 250),
    ("429005", &["429005"], 300),
    ("533400", &["533401", "533422", "533423"], 250),
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
];
const GIVEN: &[&str] = &[
    "建国", "志强", "海波", "丽华", "秀英", "文杰", "明辉", "晓东", "国庆", "红梅", "春生", "立新",
    "卫东", "振华", "桂兰", "永刚", "学军", "玉梅", "德胜", "宏伟", "淑珍", "建华", "伟", "静",
];
const TITLES: &[(&str, TitleLevel)] = &[
    ("高级工程师", TitleLevel::DeputySenior),
    ("正高级工程师", TitleLevel::Senior),
    ("高级经济师", TitleLevel::DeputySenior),
    ("高级会计师", TitleLevel::DeputySenior),
];

/// 设计·市政公用工程: held by the demo expert account (孙建国) and by no generated expert, so
/// that the demo's sealed draw, which asks for one, always invites the account.
const OWN_SPECIALTY: &str = "A0402";

fn demo_error(what: &str) -> AppError {
    AppError::Internal(format!(
        "experts demo: {what} missing (run the base and trading demos first)"
    ))
}

/// A deterministic pseudo-random stream (the demo is the same every time).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

fn job(
    org_code: &str,
    org_name: &str,
    start: NaiveDate,
    end: Option<NaiveDate>,
) -> EmploymentInput {
    EmploymentInput {
        org_code: org_code.into(),
        org_name: org_name.into(),
        kind: "employee".into(),
        start: start.to_string(),
        end: end.map(|d| d.to_string()),
    }
}

async fn actor(app: &App, username: &str) -> AppResult<yiwang_core::access::Actor> {
    let mut tx = app.store.read().await?;
    let user = tx
        .find_user_by_username(username)
        .await?
        .ok_or_else(|| demo_error(username))?;
    crate::identity::actor_of(&mut *tx, &user).await
}

/// Build the experts demo on a database holding the base and trading demos.
pub async fn build(app: &Arc<App>) -> AppResult<ExpertsDemo> {
    let mut made = ExpertsDemo::default();
    let now = now_micros();
    let today = local_date(now);
    let orgs = app.store.read().await?.list_organisations("").await?;
    let by_name = |name: &str| {
        orgs.iter()
            .find(|o| o.name == name)
            .cloned()
            .ok_or_else(|| demo_error(name))
    };
    let code_of = |name: &str| -> AppResult<String> {
        by_name(name)?
            .credit_code
            .ok_or_else(|| demo_error("credit code"))
    };
    let bidders = [
        (
            "宿迁宏远建设工程有限公司",
            code_of("宿迁宏远建设工程有限公司")?,
        ),
        (
            "宿迁鑫河路桥工程有限公司",
            code_of("宿迁鑫河路桥工程有限公司")?,
        ),
        (
            "江苏淮安鼎盛建设有限公司",
            code_of("江苏淮安鼎盛建设有限公司")?,
        ),
    ];
    let tenderee = (
        "宿迁市城市建设投资(集团)有限公司",
        code_of("宿迁市城市建设投资(集团)有限公司")?,
    );
    let managers: Vec<(String, String)> = orgs
        .iter()
        .filter(|o| o.name.ends_with("评标专家管理办公室"))
        .map(|o| (o.region_code.clone(), o.id.clone()))
        .collect();
    let specialties: Vec<String> = tree()
        .iter()
        .filter(|s| s.code.level() >= 3)
        .map(|s| s.code.as_str().to_string())
        .collect();
    let construction: Vec<String> = specialties
        .iter()
        .filter(|c| c.starts_with("A08") || c.starts_with("A06") || c.starts_with("A05"))
        .cloned()
        .collect();
    let term = Term {
        start: today - Months::new(12),
        end: today + Months::new(24),
    };
    let expert_user = {
        let mut tx = app.store.read().await?;
        tx.find_user_by_username("expert")
            .await?
            .ok_or_else(|| demo_error("expert account"))?
    };

    let mut rng = Lcg(0x5eed_2026);
    let mut all: Vec<Imported> = Vec::with_capacity(EXPERTS + 1);
    let mut serial = 0usize;
    for &(city, districts, share) in CITIES {
        let managing = managers
            .iter()
            .find(|(r, _)| r == city)
            .map(|(_, id)| id.clone())
            .ok_or_else(|| demo_error("managing department"))?;
        let firms: Vec<(String, String)> = (0..30)
            .map(|k| {
                (
                    demo_credit_code(city, 7000 + k),
                    format!("{}第{}工程咨询有限公司", &city[..4], k + 1),
                )
            })
            .collect();
        for i in 0..share {
            serial += 1;
            let region = districts[i % districts.len()];
            let birth =
                NaiveDate::from_ymd_opt(1958, 1, 1).expect("date") + Days::new(serial as u64 * 5);
            let id_number = demo_id_number(
                region,
                &birth.format("%Y%m%d").to_string(),
                100 + (serial % 800) as u32,
            );
            let suqian = city == "321300";
            let mut codes = vec![if suqian && i % 4 != 3 {
                construction[rng.next(construction.len())].clone()
            } else {
                let code = specialties[rng.next(specialties.len())].clone();
                // The demo account alone holds its own specialty (see OWN_SPECIALTY).
                if code == OWN_SPECIALTY {
                    "A0401".to_string()
                } else {
                    code
                }
            }];
            if i % 3 == 0 {
                let extra = construction[rng.next(construction.len())].clone();
                if !codes.contains(&extra) {
                    codes.push(extra);
                }
            }
            let (firm_code, firm_name) = &firms[rng.next(firms.len())];
            let earlier = birth + Months::new(12 * 23);
            let mut employments = vec![job(
                firm_code,
                firm_name,
                earlier,
                Some(earlier + Months::new(60)),
            )];
            let mut conflicts = Vec::new();
            let current_from = earlier + Months::new(61);
            // The avoidance cases of the trading demo's sections.
            let (code, name, end) = match (suqian, i % 10) {
                (true, 0) => {
                    let b = &bidders[(i / 10) % 3];
                    (b.1.clone(), b.0, None)
                }
                (true, 1) => {
                    let b = &bidders[(i / 10) % 3];
                    (b.1.clone(), b.0, Some(today - Months::new(12)))
                }
                (true, 2) => {
                    let b = &bidders[(i / 10) % 3];
                    (b.1.clone(), b.0, Some(today - Months::new(60)))
                }
                (true, 3) if i % 20 == 3 => (tenderee.1.clone(), tenderee.0, None),
                _ => {
                    let (c, n) = &firms[rng.next(firms.len())];
                    (c.clone(), n.as_str(), None)
                }
            };
            employments.push(job(&code, name, current_from, end));
            if let Some(end) = end {
                let (c, n) = &firms[rng.next(firms.len())];
                employments.push(job(c, n, end + Days::new(1), None));
            }
            if suqian && i % 50 == 7 {
                conflicts.push(DeclaredConflict::Interest {
                    org: yiwang_core::ids::CreditCode::parse(&bidders[0].1)
                        .map_err(yiwang_core::Problem::from)?,
                    note: "配偶持有该公司股份".into(),
                });
            }
            if suqian && i % 50 == 17 {
                conflicts.push(DeclaredConflict::Relative {
                    relation: Relation::Collateral,
                    person: IdNumber::parse(&demo_id_number("321302", "19750101", 1))
                        .map_err(yiwang_core::Problem::from)?,
                });
            }
            let (title, level) = TITLES[rng.next(TITLES.len())];
            all.push(Imported {
                application: Application {
                    managing_org_id: managing.clone(),
                    name: format!(
                        "{}{}",
                        SURNAMES[rng.next(SURNAMES.len())],
                        GIVEN[rng.next(GIVEN.len())]
                    ),
                    id_number,
                    mobile: format!("139{:08}", 10_000 + serial),
                    region: region.into(),
                    field_since: earlier.to_string(),
                    titles: vec![Title {
                        name: title.into(),
                        level,
                        awarded_on: earlier + Months::new(96),
                    }],
                    specialties: codes,
                    can_evaluate_electronically: true,
                    fit_for_duty: true,
                    employments,
                    conflicts,
                },
                term,
                user_id: None,
            });
        }
    }
    // The demo expert account (孙建国) is one of Suqian's experts.
    let suqian_mgr = managers
        .iter()
        .find(|(r, _)| r == "321300")
        .map(|(_, id)| id.clone())
        .ok_or_else(|| demo_error("Suqian managing department"))?;
    all.push(Imported {
        application: Application {
            managing_org_id: suqian_mgr,
            name: expert_user.display_name.clone(),
            id_number: expert_user
                .id_number
                .clone()
                .ok_or_else(|| demo_error("expert identity number"))?,
            mobile: "13900009999".into(),
            region: "321311".into(),
            field_since: "1995-07-01".into(),
            titles: vec![Title {
                name: "正高级工程师".into(),
                level: TitleLevel::Senior,
                awarded_on: NaiveDate::from_ymd_opt(2010, 12, 1).expect("date"),
            }],
            specialties: vec!["A0802".into(), "A0601".into(), OWN_SPECIALTY.into()],
            can_evaluate_electronically: true,
            fit_for_duty: true,
            employments: vec![job(
                &demo_credit_code("321300", 7001),
                "宿迁市政工程设计院有限公司",
                NaiveDate::from_ymd_opt(1995, 7, 1).expect("date"),
                None,
            )],
            conflicts: vec![],
        },
        term,
        user_id: Some(expert_user.id.clone()),
    });
    while !all.is_empty() {
        let rest = all.split_off(all.len().min(BATCH));
        made.experts += import_admitted(
            app,
            std::mem::replace(&mut all, rest),
            "历史专家库数据迁移入库",
        )
        .await?;
    }

    // The managing department at work: a suspension, a dismissal, penalties.
    let mgr = actor(app, "expertmgr").await?;
    let experts = app.store.read().await?.list_experts(None).await?;
    let suqian_experts: Vec<_> = experts
        .iter()
        .filter(|e| e.region.starts_with("3213") && e.user_id.is_none())
        .collect();
    let pick = |n: usize| {
        suqian_experts
            .get(n)
            .map(|e| e.id.clone())
            .ok_or_else(|| demo_error("Suqian expert"))
    };
    for (n, event, reason) in [
        (5, "suspend", "年度考核不称职，暂停一年"),
        (6, "dismiss", "评标中违反纪律，经查实予以解聘"),
    ] {
        decide(
            app,
            &mgr,
            &pick(n)?,
            Decision {
                event: event.into(),
                reason: reason.into(),
                term_start: None,
                term_end: None,
            },
        )
        .await?;
    }
    for (n, kind, reason) in [
        (8, "talk", "评标迟到30分钟"),
        (9, "draw_ban", "无正当理由拒绝参加评标三次"),
    ] {
        add_penalty(
            app,
            &mgr,
            &pick(n)?,
            PenaltyInput {
                kind: kind.into(),
                start: (today - Months::new(2)).to_string(),
                end: Some((today + Months::new(10)).to_string()),
                reason: reason.into(),
            },
        )
        .await?;
    }
    let expert = actor(app, "expert").await?;
    declare(
        app,
        &expert,
        Declaration {
            employments: vec![],
            conflicts: vec![],
            unavailable: vec![UnavailableInput {
                start: (today + Days::new(60)).to_string(),
                end: Some((today + Days::new(66)).to_string()),
                note: "出国学术交流".into(),
            }],
        },
    )
    .await?;

    // Draws by the Suqian trading centre.
    let staff = actor(app, "trading").await?;
    let sections = app.store.read().await?.list_sections(None).await?;
    let section = |name: &str| {
        sections
            .iter()
            .find(|s| s.name == name)
            .cloned()
            .ok_or_else(|| demo_error(name))
    };
    let lines = || -> AppResult<Vec<DrawLine>> {
        let spec = |c: &str| SpecialtyCode::parse(c).ok_or_else(|| demo_error("specialty"));
        Ok(vec![
            DrawLine {
                specialty: spec("A08")?,
                scope: PoolScope::Local,
                count: 3,
                reserve: 3,
                fallback: None,
            },
            DrawLine {
                specialty: spec("A06")?,
                scope: PoolScope::Local,
                count: 2,
                reserve: 2,
                fallback: Some(PoolScope::Remote { regions: vec![] }),
            },
        ])
    };
    // The sealed section's committee also needs a municipal design expert: the demo account
    // is the only one, so that the expert pages have an invitation waiting to be answered. Its line
    // comes first: lines draw in request order, so no other line can take him before it.
    let own_line = || -> AppResult<Vec<DrawLine>> {
        let spec = |c: &str| SpecialtyCode::parse(c).ok_or_else(|| demo_error("specialty"));
        Ok(vec![
            DrawLine {
                specialty: spec(OWN_SPECIALTY)?,
                scope: PoolScope::Local,
                count: 1,
                reserve: 0,
                fallback: None,
            },
            DrawLine {
                specialty: spec("A08")?,
                scope: PoolScope::Local,
                count: 3,
                reserve: 3,
                fallback: None,
            },
            DrawLine {
                specialty: spec("A06")?,
                scope: PoolScope::Local,
                count: 1,
                reserve: 2,
                fallback: Some(PoolScope::Remote { regions: vec![] }),
            },
        ])
    };
    // Completed: 第四标段 was opened; the committee met an hour later and the secret is public.
    let opened = section("第四标段（照明工程）")?;
    let opening_at = opened
        .opening_at
        .or(opened.bid_deadline)
        .ok_or_else(|| demo_error("opening time"))?;
    let asked = opening_at - 3 * HOUR;
    let starts = opening_at + HOUR;
    let d = request_draw_at(
        app,
        &staff,
        DrawInput {
            section_id: opened.id.clone(),
            committee: "tender_evaluation".into(),
            representatives: 0,
            budget: None,
            complex_or_high_impact: false,
            starts_at: starts,
            place: "宿迁市公共资源交易中心第3评标室".into(),
            lines: lines()?,
            answer_minutes: Some(30),
        },
        asked,
    )
    .await?;
    let outcome = run_draw_at(
        app,
        &staff,
        &d.id,
        Some("监管见证随机数 7315".into()),
        asked + 1,
    )
    .await?;
    made.draws += 1;
    let invited: Vec<String> = app
        .store
        .read()
        .await?
        .list_invitations(Some(&outcome.draw.id))
        .await?
        .into_iter()
        .filter(|i| SeatState::parse(&i.state) == Some(SeatState::Invited))
        .map(|i| i.expert_id)
        .collect();
    for e in invited {
        check_in_at(
            app,
            &staff,
            &d.id,
            &e,
            "宿迁市公共资源交易中心第3评标室",
            starts,
        )
        .await?;
    }
    finish_evaluation_at(app, &staff, &d.id, starts + 4 * HOUR).await?;

    // Sealed: the section tendering now, its committee drawn for the day after its deadline.
    let tendering = section("第三标段（排水工程）")?;
    let deadline = tendering
        .bid_deadline
        .ok_or_else(|| demo_error("deadline"))?;
    let d = request_draw_at(
        app,
        &staff,
        DrawInput {
            section_id: tendering.id.clone(),
            committee: "tender_evaluation".into(),
            representatives: 0,
            budget: None,
            complex_or_high_impact: false,
            starts_at: deadline + HOUR,
            place: "宿迁市公共资源交易中心第1评标室".into(),
            lines: own_line()?,
            answer_minutes: Some(30),
        },
        now,
    )
    .await?;
    run_draw_at(app, &staff, &d.id, None, now + 1).await?;
    made.draws += 1;
    Ok(made)
}
