//! `yiwang archive verify FILE`: check a section archive (一项目一档案, the ZIP of
//! GET /api/v1/tenders/sections/{id}/archive) offline — every entry against the signed manifest,
//! every record against its ledger entry, every ledger entry against the signed checkpoint.

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum ArchiveCommand {
    /// Check an archive with no database. Exits 0 when every byte is what the platform signed
    /// and recorded; otherwise prints what differs (naming the entry) and exits 1.
    Verify {
        /// The archive (.zip).
        file: std::path::PathBuf,
        /// The platform's published SM2 public key (hex, from /api/v1/ledger/checkpoints/latest).
        /// Without it the key in the manifest is used and printed: compare it with the
        /// published one.
        #[arg(long)]
        public_key: Option<String>,
    },
}

pub fn run(command: ArchiveCommand) -> Result<ExitCode> {
    let ArchiveCommand::Verify { file, public_key } = command;
    let f =
        std::fs::File::open(&file).with_context(|| format!("cannot open {}", file.display()))?;
    match yiwang_app::trading::archive::verify(std::io::BufReader::new(f), public_key.as_deref()) {
        Ok(v) => {
            println!(
                "archive of section {} ({}) verifies: {} entries, {} ledger entries proven in the signed checkpoint of {} entries",
                v.section_id,
                v.transaction_code.as_deref().unwrap_or("-"),
                v.entries,
                v.ledger_entries,
                v.tree_size
            );
            if public_key.is_none() {
                println!(
                    "checked with the key the archive names: {} — compare it with the platform's published key",
                    v.public_key
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("archive verification FAILED: {e}");
            Ok(ExitCode::from(1))
        }
    }
}
