//! Store conformance: the same tests against every backend `yiwang_testkit::backends()` yields
//! (SQLite always, PostgreSQL when reachable — mandatory when `YIWANG_TEST_PG` is set).

mod backup;
mod busy;
mod calendar;
mod cases;
mod catalog;
mod common;
mod experts;
mod jobs;
mod ledger;
mod migrations;
mod organisations;
mod outbox;
mod sessions;
mod trading;
mod users;
