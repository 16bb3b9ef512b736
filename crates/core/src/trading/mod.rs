//! 公共资源交易: the pure rules of the trading core (DOMAIN Part 2, §2.1–2.3, §2.5).
pub mod archive;
pub mod bids;
pub mod code;
pub mod fields;
pub mod lifecycle;
pub mod ocds;
pub mod parties;
pub mod periods;
