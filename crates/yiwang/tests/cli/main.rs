//! The `yiwang` binary as a user (and an operator) runs it: demo, audit verify against tampering
//! with the database shell's kind of edits, backup, crash durability, and two nodes sharing one
//! PostgreSQL database that never run the same job twice.

mod audit;
mod durability;
mod nodes;

use std::process::{Command, Output};

pub fn yiwang() -> Command {
    Command::new(env!("CARGO_BIN_EXE_yiwang"))
}

pub fn run(args: &[&str]) -> Output {
    let out = yiwang()
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run yiwang");
    out
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A free local port (bound and released; good enough for tests on one machine).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn every_verb_has_help() {
    for verb in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["demo", "--help"],
        vec!["migrate", "--help"],
        vec!["audit", "--help"],
        vec!["audit", "verify", "--help"],
        vec!["audit", "checkpoint", "--help"],
        vec!["backup", "--help"],
    ] {
        let o = run(&verb);
        assert!(o.status.success(), "{verb:?} --help failed");
        assert!(stdout(&o).contains("Usage"), "{verb:?} prints usage");
    }
}

#[test]
fn an_unsupported_database_url_is_a_clear_error() {
    let o = run(&["migrate", "--db", "mysql://x@y/z"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("unsupported database URL"), "{err}");
}
