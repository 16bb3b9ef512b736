//! 交易领域与交易方式: the fields of trade, the methods, which methods each field may use, and
//! when public tender is mandatory.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::Problem;
use crate::enums::string_enum;

string_enum! {
    /// 交易领域 (交易类别): the fields of trade of a public-resource trading platform (DOMAIN §2.1).
    ///
    /// `Other` (其他交易) is the twelfth data set of 公共资源交易平台系统数据规范 (2016) and covers
    /// whatever a province adds to the catalogue (e.g. forest rights, emission rights).
    TradeField {
        /// 工程建设: construction projects tendered under 招标投标法.
        Construction = "construction", "工程建设", "Construction";
        /// 政府采购: purchases with public funds under 政府采购法.
        GovernmentProcurement = "government_procurement", "政府采购", "Government procurement";
        /// 土地使用权: grants of state-owned construction land use rights.
        LandUseRight = "land_use_right", "土地使用权", "Land use right";
        /// 矿业权: grants of exploration and mining rights.
        MiningRight = "mining_right", "矿业权", "Mining right";
        /// 国有产权: transfers of state-owned property rights (assets, equity).
        StateAsset = "state_asset", "国有产权", "State-owned property right";
        /// 药品器械集中采购: centralised purchasing of medicines and medical devices.
        MedicalSupplies = "medical_supplies", "药品器械集中采购", "Medicines and medical devices";
        /// 其他交易
        Other = "other", "其他交易", "Other";
    }
}

string_enum! {
    /// 交易方式: how a section is traded (DOMAIN §2.1).
    TradeMethod {
        /// 公开招标 (招标投标法 Art. 10; 政府采购法 Art. 26).
        OpenTender = "open_tender", "公开招标", "Open tender";
        /// 邀请招标: invitations to at least 3 named firms (招标投标法 Art. 17).
        InvitedTender = "invited_tender", "邀请招标", "Invited tender";
        /// 竞争性谈判 (政府采购法 Art. 30; 财政部令第74号).
        CompetitiveNegotiation = "competitive_negotiation", "竞争性谈判", "Competitive negotiation";
        /// 竞争性磋商 (财库〔2014〕214号).
        CompetitiveConsultation = "competitive_consultation", "竞争性磋商", "Competitive consultation";
        /// 询价 (政府采购法 Art. 32).
        RequestForQuotation = "request_for_quotation", "询价", "Request for quotation";
        /// 单一来源 (政府采购法 Art. 31).
        SingleSource = "single_source", "单一来源", "Single source";
        /// 拍卖: open outcry or online auction in rounds (land, mining rights, assets).
        Auction = "auction", "拍卖", "Auction";
        /// 挂牌: listing with bids accepted during the listing period.
        Listing = "listing", "挂牌", "Listing";
    }
}

string_enum! {
    /// 采购类别: works, goods or services; decides the thresholds and OCDS `mainProcurementCategory`.
    ProcurementCategory {
        /// 工程 (施工)
        Works = "works", "工程", "Works";
        /// 货物
        Goods = "goods", "货物", "Goods";
        /// 服务 (勘察、设计、监理等)
        Services = "services", "服务", "Services";
    }
}

string_enum! {
    /// 评标办法 / 成交规则 (招标投标法 Art. 41; DOMAIN §2.2).
    AwardMethod {
        /// 综合评估法: price, technical, business, credit, performance and honours scored together.
        Comprehensive = "comprehensive", "综合评估法", "Comprehensive scoring";
        /// 经评审的最低投标价法: the lowest evaluated price, not below cost.
        LowestEvaluatedPrice = "lowest_evaluated_price", "经评审的最低投标价法", "Lowest evaluated price";
        /// 价高者得: auctions and listings of land, mining rights and assets.
        HighestPrice = "highest_price", "价高者得", "Highest price";
    }
}

impl TradeField {
    /// The methods a section of this field may be traded by on the platform.
    ///
    /// - 工程建设: 公开招标 and 邀请招标 only; a construction project bought without a tender is a
    ///   政府采购 matter (政府采购法实施条例 Art. 25) and is registered under that field.
    /// - 政府采购: the six methods of 政府采购法 Art. 26 plus 竞争性磋商 (财库〔2014〕214号).
    /// - 土地使用权, 矿业权: 招标、拍卖、挂牌 (招标拍卖挂牌出让国有建设用地使用权规定, 国土资源部令第39号;
    ///   矿业权出让 rules). 协议出让 never reaches the platform as a competitive trade.
    /// - 国有产权: 挂牌 (信息披露) and, with several qualified buyers, 拍卖 (企业国有资产交易监督管理
    ///   办法, 国资委 财政部令第32号). Choice: tender-style 招投标 of assets is rare and left out.
    /// - 药品器械: 公开招标, 竞争性谈判 (price negotiation) and 挂牌 (挂网). Choice, documented because
    ///   DOMAIN names the field but not its methods.
    /// - 其他交易: any method.
    pub fn allowed_methods(self) -> &'static [TradeMethod] {
        use TradeMethod as M;
        match self {
            TradeField::Construction => &[M::OpenTender, M::InvitedTender],
            TradeField::GovernmentProcurement => &[
                M::OpenTender,
                M::InvitedTender,
                M::CompetitiveNegotiation,
                M::CompetitiveConsultation,
                M::RequestForQuotation,
                M::SingleSource,
            ],
            TradeField::LandUseRight | TradeField::MiningRight => {
                &[M::OpenTender, M::Auction, M::Listing]
            }
            TradeField::StateAsset => &[M::Listing, M::Auction],
            TradeField::MedicalSupplies => &[M::OpenTender, M::CompetitiveNegotiation, M::Listing],
            TradeField::Other => TradeMethod::ALL,
        }
    }

    pub fn allows(self, method: TradeMethod) -> bool {
        self.allowed_methods().contains(&method)
    }

    /// The first character of the 交易类别 part of a [`super::code::TransactionCode`].
    ///
    /// Choice (the letter table of the national data specification is not in DOMAIN): `A` for
    /// 工程建设 agrees with the published codes of construction tenders (e.g. `A02-…` in Shanghai);
    /// the others follow the order of DOMAIN §2.1.
    pub fn code_letter(self) -> char {
        match self {
            TradeField::Construction => 'A',
            TradeField::GovernmentProcurement => 'B',
            TradeField::LandUseRight => 'C',
            TradeField::MiningRight => 'D',
            TradeField::StateAsset => 'E',
            TradeField::MedicalSupplies => 'F',
            TradeField::Other => 'Z',
        }
    }

    pub fn from_code_letter(c: char) -> Option<Self> {
        TradeField::ALL
            .iter()
            .copied()
            .find(|f| f.code_letter() == c)
    }
}

impl TradeMethod {
    /// Whether this is a tender under 招标投标法/政府采购法 with sealed bids, a bid deadline that is
    /// also the opening time, and the rule of at least 3 bids.
    pub fn is_tender(self) -> bool {
        matches!(self, TradeMethod::OpenTender | TradeMethod::InvitedTender)
    }

    /// Whether the method is an auction-style trade (rounds, increments) rather than sealed bids.
    pub fn is_auction_style(self) -> bool {
        matches!(self, TradeMethod::Auction | TradeMethod::Listing)
    }

    /// The least number of valid bids or responses for the trade to go ahead.
    ///
    /// Tenders: 3 (招标投标法 Art. 28, 条例 Art. 44; fewer → 流标, re-tender). 竞争性谈判、竞争性磋商、
    /// 询价: 3 suppliers (政府采购法 Arts. 38, 40; 214号文 allows 2 for some 磋商 cases, which the
    /// evaluation step decides, not the opening). 单一来源: 1. 拍卖: 2 bidders (拍卖 needs competition;
    /// 39号令 Art. 19 for land). 挂牌: 1 (a listing with a single qualified bid may close at the reserve
    /// price, 39号令 Art. 20).
    pub fn minimum_bids(self) -> usize {
        match self {
            TradeMethod::OpenTender
            | TradeMethod::InvitedTender
            | TradeMethod::CompetitiveNegotiation
            | TradeMethod::CompetitiveConsultation
            | TradeMethod::RequestForQuotation => 3,
            TradeMethod::Auction => 2,
            TradeMethod::SingleSource | TradeMethod::Listing => 1,
        }
    }
}

/// Money thresholds (yuan) at and above which public tender is mandatory.
///
/// DOMAIN does not state them; these are the national defaults a real platform ships, configurable
/// because provinces may lower the procurement ones:
/// - 工程建设: 必须招标的工程项目规定 (国家发展改革委令第16号, 2018) Art. 5 — 施工 ≥ 400万元,
///   重要设备、材料等货物 ≥ 200万元, 勘察、设计、监理等服务 ≥ 100万元 (单项合同估算价).
/// - 政府采购: 公开招标数额标准 for goods and services, 400万元 in 地方预算单位政府集中采购目录及标准指引
///   (2020); works purchased by government follow the construction thresholds (政府采购法实施条例
///   Art. 7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenderThresholds {
    pub construction_works: Decimal,
    pub construction_goods: Decimal,
    pub construction_services: Decimal,
    pub procurement_goods_services: Decimal,
}

impl Default for TenderThresholds {
    fn default() -> Self {
        TenderThresholds {
            construction_works: Decimal::new(4_000_000, 0),
            construction_goods: Decimal::new(2_000_000, 0),
            construction_services: Decimal::new(1_000_000, 0),
            procurement_goods_services: Decimal::new(4_000_000, 0),
        }
    }
}

impl TenderThresholds {
    /// Whether a contract of `estimated` yuan in this field and category must be put to tender.
    /// Only 工程建设 and 政府采购 have thresholds; the other fields are competitive by nature.
    pub fn tender_required(
        &self,
        field: TradeField,
        category: ProcurementCategory,
        estimated: Decimal,
    ) -> bool {
        use ProcurementCategory as C;
        let limit = match (field, category) {
            (TradeField::Construction, C::Works) => self.construction_works,
            (TradeField::Construction, C::Goods) => self.construction_goods,
            (TradeField::Construction, C::Services) => self.construction_services,
            (TradeField::GovernmentProcurement, C::Works) => self.construction_works,
            (TradeField::GovernmentProcurement, _) => self.procurement_goods_services,
            _ => return false,
        };
        estimated >= limit
    }
}

/// Whether a method may be used without further ado, or only with an approval on file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MethodPermission {
    Allowed,
    /// 邀请招标 of a mandatory tender needs the approving department's consent (招标投标法实施条例
    /// Art. 8); another method than 公开招标 above the procurement threshold needs the finance
    /// department's approval (政府采购法 Art. 27).
    NeedsApproval,
}

/// Checks the method chosen for a section: it must be one the field allows, and above the
/// thresholds anything but 公开招标 needs an approval.
pub fn check_method(
    field: TradeField,
    category: ProcurementCategory,
    method: TradeMethod,
    estimated: Decimal,
    thresholds: &TenderThresholds,
) -> Result<MethodPermission, Problem> {
    if !field.allows(method) {
        return Err(Problem::invalid(
            "trading.method_not_allowed",
            format!(
                "{}项目不能采用{}方式。",
                field.label_zh(),
                method.label_zh()
            ),
            format!(
                "A {} section cannot be traded by {}.",
                field.label_en().to_lowercase(),
                method.label_en().to_lowercase()
            ),
        ));
    }
    if method != TradeMethod::OpenTender && thresholds.tender_required(field, category, estimated) {
        return Ok(MethodPermission::NeedsApproval);
    }
    Ok(MethodPermission::Allowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wan(n: i64) -> Decimal {
        Decimal::new(n * 10_000, 0)
    }

    #[test]
    fn every_field_allows_some_method_and_construction_only_tenders() {
        for f in TradeField::ALL {
            assert!(!f.allowed_methods().is_empty(), "{f}");
        }
        assert!(TradeField::Construction.allows(TradeMethod::OpenTender));
        assert!(TradeField::Construction.allows(TradeMethod::InvitedTender));
        assert!(!TradeField::Construction.allows(TradeMethod::CompetitiveNegotiation));
        assert!(!TradeField::GovernmentProcurement.allows(TradeMethod::Auction));
        assert!(TradeField::LandUseRight.allows(TradeMethod::Listing));
        assert!(!TradeField::LandUseRight.allows(TradeMethod::SingleSource));
    }

    #[test]
    fn code_letters_are_unique_and_round_trip() {
        let mut seen = std::collections::BTreeSet::new();
        for f in TradeField::ALL {
            assert!(seen.insert(f.code_letter()), "{f}");
            assert_eq!(TradeField::from_code_letter(f.code_letter()), Some(*f));
        }
        assert_eq!(TradeField::from_code_letter('Q'), None);
    }

    #[test]
    fn labels_parse_back() {
        for m in TradeMethod::ALL {
            assert_eq!(TradeMethod::parse(m.as_str()), Some(*m));
            assert_eq!(TradeMethod::from_label(m.label_zh()), Some(*m));
        }
        assert_eq!(
            TradeField::from_label("工程建设"),
            Some(TradeField::Construction)
        );
    }

    #[test]
    fn thresholds_are_inclusive() {
        let t = TenderThresholds::default();
        let c = TradeField::Construction;
        assert!(t.tender_required(c, ProcurementCategory::Works, wan(400)));
        assert!(!t.tender_required(c, ProcurementCategory::Works, wan(400) - Decimal::new(1, 2)));
        assert!(t.tender_required(c, ProcurementCategory::Goods, wan(200)));
        assert!(!t.tender_required(c, ProcurementCategory::Goods, wan(199)));
        assert!(t.tender_required(c, ProcurementCategory::Services, wan(100)));
        let gp = TradeField::GovernmentProcurement;
        assert!(!t.tender_required(gp, ProcurementCategory::Goods, wan(399)));
        assert!(t.tender_required(gp, ProcurementCategory::Services, wan(400)));
        assert!(t.tender_required(gp, ProcurementCategory::Works, wan(400)));
        assert!(!t.tender_required(
            TradeField::LandUseRight,
            ProcurementCategory::Goods,
            wan(1_000_000)
        ));
    }

    #[test]
    fn method_check_flags_approval_and_refuses_foreign_methods() {
        let t = TenderThresholds::default();
        use ProcurementCategory as C;
        use TradeField as F;
        use TradeMethod as M;
        assert_eq!(
            check_method(F::Construction, C::Works, M::OpenTender, wan(5000), &t).unwrap(),
            MethodPermission::Allowed
        );
        assert_eq!(
            check_method(F::Construction, C::Works, M::InvitedTender, wan(5000), &t).unwrap(),
            MethodPermission::NeedsApproval
        );
        assert_eq!(
            check_method(F::Construction, C::Works, M::InvitedTender, wan(100), &t).unwrap(),
            MethodPermission::Allowed
        );
        assert_eq!(
            check_method(
                F::GovernmentProcurement,
                C::Goods,
                M::RequestForQuotation,
                wan(50),
                &t
            )
            .unwrap(),
            MethodPermission::Allowed
        );
        assert_eq!(
            check_method(
                F::GovernmentProcurement,
                C::Goods,
                M::SingleSource,
                wan(500),
                &t
            )
            .unwrap(),
            MethodPermission::NeedsApproval
        );
        let e = check_method(F::Construction, C::Works, M::Auction, wan(1), &t).unwrap_err();
        assert_eq!(e.code, "trading.method_not_allowed");
        assert!(e.message.contains("工程建设"));
    }

    #[test]
    fn tenders_need_three_bids() {
        assert_eq!(TradeMethod::OpenTender.minimum_bids(), 3);
        assert_eq!(TradeMethod::InvitedTender.minimum_bids(), 3);
        assert_eq!(TradeMethod::SingleSource.minimum_bids(), 1);
        assert!(TradeMethod::OpenTender.is_tender());
        assert!(!TradeMethod::Listing.is_tender());
        assert!(TradeMethod::Auction.is_auction_style());
    }
}
