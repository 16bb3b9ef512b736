//! yiwang-core: the pure domain rules of yiwang (一网).
//!
//! Architecture invariant: nothing in this crate does I/O, spawns tasks or knows SQL. Every rule here
//! can be read and unit-tested on its own; the store and the use cases build on it.

pub mod access;
pub mod calendar;
pub mod cases;
pub mod catalog;
mod enums;
pub mod evaluation;
pub mod experts;
pub mod ids;
pub mod ledger;
pub mod merkle;
pub mod privacy;
pub mod problem;
pub mod statutory;
pub mod time;
pub mod trading;

pub use problem::{Problem, ProblemKind};
