//! Use-case tests of yiwang-app on every backend `yiwang_testkit::backends()` yields (SQLite
//! always, PostgreSQL when reachable — mandatory when `YIWANG_TEST_PG` is set).

mod common;
mod demo_audit;
mod gateways;
mod identity;
mod jobs;
mod ledger_tree;
mod permissions;
mod prove;
mod tamper;
mod tamper_registry;
mod tokens;
mod witness;
