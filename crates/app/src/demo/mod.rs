//! Realistic demo data: the five cities of the source documents (呼和浩特, 乌海, 宿迁, 潜江, 迪庆)
//! with their districts, departments, a government-service centre and a public-resource trading
//! centre in each, regulators, enterprises, and one demo account for every role.
//!
//! Everything is written through the same functions the use cases use, so the demo database's
//! ledger is complete and `yiwang audit verify` passes on it.

pub mod cases;
pub mod evaluation;
pub mod experts;
pub mod trading;

use std::sync::Arc;

use yiwang_core::ids::{credit_code_check_char, id_number_check_char};
use yiwang_store::prelude::*;
use yiwang_store::{Organisation, Store};

use crate::identity::{NewGrant, NewUser, insert_user};
use crate::organisations::{NewOrganisation, insert_organisation};
use crate::{Acting, App, AppResult};

/// The demo catalogue: about 230 items of Suqian's departments in the import layout
/// (docs/catalog-csv.md), in two files, and six life-event bundles.
const CATALOG_A: &str = include_str!("../../data/catalog-demo-a.csv");
const CATALOG_B: &str = include_str!("../../data/catalog-demo-b.csv");
const BUNDLES: &str = include_str!("../../data/bundles-demo.csv");

/// Import the demo catalogue through the same importer managers use, with generated blank forms
/// and samples for the application forms. Needs the organisations of [`build`].
pub async fn build_catalog(app: &Arc<App>) -> AppResult<crate::catalog::import::ImportReport> {
    use crate::catalog::import::{Format, ImportOptions, import, read_grid};
    let (mut items, _) = read_grid(Format::Csv, CATALOG_A.as_bytes())?;
    let (more, _) = read_grid(Format::Csv, CATALOG_B.as_bytes())?;
    items.extend(more.into_iter().skip(1));
    let (bundles, _) = read_grid(Format::Csv, BUNDLES.as_bytes())?;
    let report = import(
        app,
        None,
        &items,
        Some(&bundles),
        ImportOptions {
            progress: None,
            generate_forms: true,
            ..Default::default()
        },
    )
    .await?;
    crate::audit::checkpoint(app).await?;
    Ok(report)
}

/// The password of every demo account (printed by `yiwang demo`).
pub const DEMO_PASSWORD: &str = "yiwang-demo-2026";

/// The prefecture-level cities of the source documents, with their provinces.
const CITIES: &[(&str, &str, &str, &str)] = &[
    // (city code, city short name, English name, province code)
    ("150100", "呼和浩特", "Hohhot", "150000"),
    ("150300", "乌海", "Wuhai", "150000"),
    ("321300", "宿迁", "Suqian", "320000"),
    ("429005", "潜江", "Qianjiang", "420000"),
    ("533400", "迪庆", "Diqing", "530000"),
];

/// Departments every city has: (Chinese name suffix, English, kind).
const DEPARTMENTS: &[(&str, &str, &str)] = &[
    (
        "发展和改革委员会",
        "Development and Reform Commission",
        "department",
    ),
    (
        "市场监督管理局",
        "Administration for Market Regulation",
        "department",
    ),
    (
        "住房和城乡建设局",
        "Housing and Urban-Rural Development Bureau",
        "department",
    ),
    (
        "自然资源和规划局",
        "Natural Resources and Planning Bureau",
        "department",
    ),
    ("公安局", "Public Security Bureau", "department"),
    (
        "人力资源和社会保障局",
        "Human Resources and Social Security Bureau",
        "department",
    ),
    ("卫生健康委员会", "Health Commission", "department"),
    ("交通运输局", "Transport Bureau", "department"),
    ("水务局", "Water Affairs Bureau", "department"),
    ("财政局", "Finance Bureau", "department"),
    ("税务局", "Taxation Bureau", "department"),
    (
        "政务服务中心",
        "Government Service Centre",
        "service_centre",
    ),
    (
        "公共资源交易中心",
        "Public Resource Trading Centre",
        "trading_centre",
    ),
    (
        "公共资源交易监督管理办公室",
        "Public Resource Trading Supervision Office",
        "regulator",
    ),
    (
        "评标专家管理办公室",
        "Evaluation Expert Management Office",
        "expert_authority",
    ),
];

const PROVINCES: &[(&str, &str, &str)] = &[
    (
        "150000",
        "内蒙古自治区人民政府",
        "Inner Mongolia Autonomous Region",
    ),
    ("320000", "江苏省人民政府", "Jiangsu Province"),
    ("420000", "湖北省人民政府", "Hubei Province"),
    ("530000", "云南省人民政府", "Yunnan Province"),
];

/// Enterprises (legal persons) used by the trading and applicant demo accounts.
const ENTERPRISES: &[(&str, &str, &str)] = &[
    ("321302", "宿迁市城市建设投资(集团)有限公司", "tenderee"),
    ("321302", "江苏诚信工程招标代理有限公司", "agency"),
    ("321311", "宿迁宏远建设工程有限公司", "bidder"),
    ("150102", "内蒙古蒙建建筑工程有限责任公司", "bidder"),
    ("321302", "宿迁市禾丰餐饮管理有限公司", "applicant"),
];

/// A valid 统一社会信用代码 for the demo: registry 9 (市场监管), type 1 (company).
pub fn demo_credit_code(region: &str, serial: u32) -> String {
    let body = format!("91{region}MA{serial:07}");
    let first17 = &body[..17];
    format!(
        "{first17}{}",
        credit_code_check_char(first17).expect("valid body")
    )
}

/// A valid 居民身份证号码 for the demo.
pub fn demo_id_number(region: &str, birth: &str, serial: u32) -> String {
    let first17 = format!("{region}{birth}{serial:03}");
    format!(
        "{first17}{}",
        id_number_check_char(&first17).expect("valid body")
    )
}

/// A demo account, as printed for the user.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: String,
    pub role: String,
    pub role_zh: String,
    pub organisation: String,
}

struct Builder {
    tx: Box<dyn WriteTx>,
    by: Acting,
}

impl Builder {
    async fn org(
        &mut self,
        name: &str,
        name_en: &str,
        kind: &str,
        region: &str,
        parent: Option<&Organisation>,
        credit_code: Option<String>,
    ) -> AppResult<Organisation> {
        insert_organisation(
            &mut *self.tx,
            &self.by,
            NewOrganisation {
                name: name.into(),
                name_en: name_en.into(),
                kind: kind.into(),
                region_code: region.into(),
                parent_id: parent.map(|p| p.id.clone()),
                credit_code,
            },
            parent,
        )
        .await
    }
}

/// Fill an empty, migrated database with the demo data. Returns the demo accounts.
pub async fn build(app: &Arc<App>) -> AppResult<Vec<DemoAccount>> {
    let store: &Arc<dyn Store> = &app.store;
    let mut b = Builder {
        tx: store.write().await?,
        by: Acting::system(),
    };
    let regions = b.tx.list_regions().await?;
    let region_name = |code: &str| {
        regions
            .iter()
            .find(|r| r.code == code)
            .map(|r| r.name.clone())
            .unwrap_or_default()
    };

    let mut provinces = Vec::new();
    for (code, name, en) in PROVINCES {
        provinces.push(b.org(name, en, "government", code, None, None).await?);
    }
    // Organisations per city, remembered for the demo accounts.
    let mut city_orgs: Vec<(String, Vec<Organisation>)> = Vec::new();
    for (code, short, en, province) in CITIES {
        let parent = provinces
            .iter()
            .find(|p| p.region_code == *province)
            .expect("province of city")
            .clone();
        let full = region_name(code);
        let gov = b
            .org(
                &format!("{full}人民政府"),
                &format!("{en} People's Government"),
                "government",
                code,
                Some(&parent),
                None,
            )
            .await?;
        let mut orgs = vec![gov.clone()];
        for (suffix, dept_en, kind) in DEPARTMENTS {
            let prefix = if *code == "533400" {
                full.clone()
            } else {
                format!("{short}市")
            };
            orgs.push(
                b.org(
                    &format!("{prefix}{suffix}"),
                    &format!("{en} {dept_en}"),
                    kind,
                    code,
                    Some(&gov),
                    None,
                )
                .await?,
            );
        }
        // Districts and counties with their own government and service centre.
        for county in regions
            .iter()
            .filter(|r| r.parent_code.as_deref() == Some(code))
        {
            let cgov = b
                .org(
                    &format!("{}人民政府", county.name),
                    "",
                    "government",
                    &county.code,
                    Some(&gov),
                    None,
                )
                .await?;
            b.org(
                &format!("{}政务服务中心", county.name),
                "",
                "service_centre",
                &county.code,
                Some(&cgov),
                None,
            )
            .await?;
            b.org(
                &format!("{}市场监督管理局", county.name),
                "",
                "department",
                &county.code,
                Some(&cgov),
                None,
            )
            .await?;
        }
        city_orgs.push((code.to_string(), orgs));
    }
    let mut enterprises = Vec::new();
    for (i, (region, name, _)) in ENTERPRISES.iter().enumerate() {
        let code = demo_credit_code(region, 1000 + i as u32);
        enterprises.push(
            b.org(name, "", "enterprise", region, None, Some(code))
                .await?,
        );
    }

    let suqian = &city_orgs
        .iter()
        .find(|(c, _)| c == "321300")
        .expect("Suqian")
        .1;
    let hohhot = &city_orgs
        .iter()
        .find(|(c, _)| c == "150100")
        .expect("Hohhot")
        .1;
    let find = |orgs: &[Organisation], suffix: &str| {
        orgs.iter()
            .find(|o| o.name.ends_with(suffix))
            .cloned()
            .expect("demo organisation")
    };

    // (username, display name, kind, role, organisation)
    let staff: Vec<(&str, &str, &str, Organisation)> = vec![
        (
            "window",
            "李娜",
            "window_officer",
            find(suqian, "政务服务中心"),
        ),
        (
            "approver",
            "王强",
            "approving_officer",
            find(suqian, "市场监督管理局"),
        ),
        (
            "depthead",
            "刘洋",
            "department_head",
            find(suqian, "市场监督管理局"),
        ),
        (
            "centre",
            "陈静",
            "centre_manager",
            find(suqian, "政务服务中心"),
        ),
        ("supervisor", "杨帆", "supervisor", find(suqian, "人民政府")),
        (
            "catalog",
            "赵敏",
            "catalogue_manager",
            find(suqian, "人民政府"),
        ),
        (
            "trading",
            "黄磊",
            "trading_staff",
            find(suqian, "公共资源交易中心"),
        ),
        (
            "regulator",
            "周涛",
            "regulator",
            find(suqian, "公共资源交易监督管理办公室"),
        ),
        (
            "expertmgr",
            "吴刚",
            "expert_manager",
            find(suqian, "评标专家管理办公室"),
        ),
        (
            "hhht-supervisor",
            "乌云",
            "supervisor",
            find(hohhot, "人民政府"),
        ),
    ];
    let mut accounts = Vec::new();
    for (username, name, role, org) in staff {
        add(
            &mut b,
            &mut accounts,
            username,
            name,
            "staff",
            None,
            None,
            &[(role, &org)],
        )
        .await?;
    }
    // The platform administrator holds the role at every province root.
    let admin_grants: Vec<(&str, &Organisation)> =
        provinces.iter().map(|p| ("administrator", p)).collect();
    add(
        &mut b,
        &mut accounts,
        "admin",
        "系统管理员",
        "staff",
        None,
        None,
        &admin_grants,
    )
    .await?;
    // Natural persons: an applicant and an evaluation expert.
    let id = demo_id_number("321302", "19850312", 123);
    add(
        &mut b,
        &mut accounts,
        "zhangwei",
        "张伟",
        "natural_person",
        Some(id),
        None,
        &[],
    )
    .await?;
    let id = demo_id_number("321311", "19700708", 45);
    let experts = find(suqian, "评标专家管理办公室");
    add(
        &mut b,
        &mut accounts,
        "expert",
        "孙建国",
        "natural_person",
        Some(id),
        None,
        &[("expert", &experts)],
    )
    .await?;
    // Legal persons acting for their enterprises.
    for (i, (username, name)) in [
        ("tenderee", "钱立新"),
        ("agency", "郑雪"),
        ("bidder", "冯志远"),
        ("", ""),
        ("hefeng", "何丰"),
    ]
    .iter()
    .enumerate()
    {
        if username.is_empty() {
            continue;
        }
        let org = &enterprises[i];
        let role = ENTERPRISES[i].2;
        add(
            &mut b,
            &mut accounts,
            username,
            name,
            "legal_person",
            None,
            org.credit_code.clone(),
            &[(role, org)],
        )
        .await?;
    }
    b.tx.commit().await?;
    crate::audit::checkpoint(app).await?;
    Ok(accounts)
}

#[allow(clippy::too_many_arguments)]
async fn add(
    b: &mut Builder,
    accounts: &mut Vec<DemoAccount>,
    username: &str,
    name: &str,
    kind: &str,
    id_number: Option<String>,
    credit_code: Option<String>,
    grants: &[(&str, &Organisation)],
) -> AppResult<()> {
    insert_user(
        &mut *b.tx,
        &b.by,
        NewUser {
            username: username.into(),
            display_name: name.into(),
            kind: kind.into(),
            password: DEMO_PASSWORD.into(),
            id_number,
            credit_code,
            phone: Some("13800000000".into()),
            email: None,
            grants: grants
                .iter()
                .map(|(role, org)| NewGrant {
                    role: (*role).into(),
                    org_id: org.id.clone(),
                })
                .collect(),
        },
    )
    .await?;
    let role = grants.first().map(|(r, _)| *r).unwrap_or("applicant");
    let parsed = yiwang_core::access::Role::parse(role).expect("demo role");
    accounts.push(DemoAccount {
        username: username.into(),
        role: role.into(),
        role_zh: parsed.label_zh().into(),
        organisation: grants
            .iter()
            .map(|(_, o)| o.name.clone())
            .collect::<Vec<_>>()
            .join("、"),
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use yiwang_core::ids::{CreditCode, IdNumber};

    #[test]
    fn demo_identifiers_are_valid() {
        for i in 0..50 {
            assert!(CreditCode::parse(&demo_credit_code("321302", 1000 + i)).is_ok());
            assert!(IdNumber::parse(&demo_id_number("321302", "19850312", i)).is_ok());
        }
    }
}
