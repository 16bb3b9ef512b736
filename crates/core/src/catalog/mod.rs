//! 事项目录: the service catalogue — service items with every national basic element, their
//! versions and lifecycle, claiming into implementation lists, life-event bundles (一件事), and the
//! import/export table layout (docs/catalog-csv.md).

pub mod bundle;
pub mod claim;
pub mod item;
pub mod lifecycle;
pub mod table;

pub use bundle::{BundleBody, MergedField, MergedMaterial, merge_bundle};
pub use item::{
    Basis, DeliveryMode, Fee, FormField, HandlingKind, ItemBody, ItemCode, ItemType, Level,
    Material, MaterialForm, ResultType, SpecialProcedure, Step, TongBan, TongBanMode, TongBanScope,
};
pub use lifecycle::{ItemAction, ItemStatus, QuestionStatus};
