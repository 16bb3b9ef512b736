//! `yiwang bid …`: the bidder's and the custodians' offline tools for sealed bids (HPKE, RFC 9180;
//! formats in `yiwang_core::trading::sealing`). Nothing here talks to a server or a database:
//! the bidder seals on its own machine and uploads only the sealed file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use yiwang_app::trading::sealing;
use yiwang_core::trading::sealing::{BidKeyFile, encode_plaintext, parse_plaintext, parse_sealed};

#[derive(Subcommand)]
pub enum BidCommand {
    /// Seal a bid file for a section: writes the sealed file to upload (OUT) and the bid key to
    /// keep until the opening (KEY_OUT, mode 0600). Neither file is overwritten.
    Seal {
        /// The section's 统一交易标识码 (on its page).
        #[arg(long)]
        code: String,
        /// The section's custodian public key (hex, on its page).
        #[arg(long)]
        custodian_key: String,
        /// 投标报价, yuan (as the opening record will show it).
        #[arg(long)]
        price: String,
        /// 工期/交货期, days.
        #[arg(long)]
        duration_days: Option<u32>,
        /// The bid file (PDF or any file).
        #[arg(long)]
        file: PathBuf,
        /// The sealed file to write.
        #[arg(long)]
        out: PathBuf,
        /// The bid key file to write (default: OUT.key).
        #[arg(long)]
        key_out: Option<PathBuf>,
    },
    /// Check offline that a sealed file opens with a bid key, and print its manifest.
    Open {
        #[arg(long)]
        sealed: PathBuf,
        #[arg(long)]
        key: PathBuf,
    },
    /// The custodian key ceremony: a new custodian key pair whose private key is split so that
    /// THRESHOLD of COUNT custodians' shares rebuild it. Writes DIR/custodian.pub and
    /// DIR/share-N.txt (mode 0600, one per custodian); the private key is never written.
    CustodianKeygen {
        #[arg(long, default_value_t = 3)]
        threshold: u8,
        #[arg(long, default_value_t = 5)]
        count: u8,
        /// A new directory.
        #[arg(long)]
        out: PathBuf,
    },
}

fn write_new(path: &Path, bytes: &[u8], private: bool) -> Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    }
    let mut f = opts
        .open(path)
        .with_context(|| format!("cannot create {} (it must not exist)", path.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

fn problem(p: yiwang_core::Problem) -> anyhow::Error {
    anyhow::anyhow!("{}: {} ({})", p.code, p.message, p.message_en)
}

pub fn run(command: BidCommand) -> Result<ExitCode> {
    match command {
        BidCommand::Seal {
            code,
            custodian_key,
            price,
            duration_days,
            file,
            out,
            key_out,
        } => {
            let price: rust_decimal::Decimal = price
                .trim()
                .parse()
                .ok()
                .filter(|p: &rust_decimal::Decimal| !p.is_sign_negative() && p.scale() <= 2)
                .context("the price must be a non-negative amount with at most two decimals")?;
            let content =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "bid".into());
            let plaintext = encode_plaintext(price, duration_days, &name, &content);
            let sealed = sealing::seal(code.trim(), &custodian_key, &plaintext).map_err(problem)?;
            let key_out = key_out.unwrap_or_else(|| {
                let mut p = out.clone().into_os_string();
                p.push(".key");
                PathBuf::from(p)
            });
            write_new(&key_out, sealed.key.to_text().as_bytes(), true)?;
            write_new(&out, &sealed.file, false)?;
            println!("sealed file (upload it): {}", out.display());
            println!(
                "bid key (keep it; needed at the opening): {}",
                key_out.display()
            );
            println!(
                "sm3 of the sealed file (sign it): sm3:{}",
                yiwang_core::ledger::sm3_hex(&sealed.file)
            );
        }
        BidCommand::Open { sealed, key } => {
            let file = std::fs::read(&sealed)
                .with_context(|| format!("cannot read {}", sealed.display()))?;
            let key_text = std::fs::read_to_string(&key)
                .with_context(|| format!("cannot read {}", key.display()))?;
            let key = BidKeyFile::parse(&key_text).map_err(problem)?;
            let parts = parse_sealed(&file).map_err(problem)?;
            let plaintext = match sealing::open_with_bid_key(&parts, &key.private_key_bytes()) {
                Ok(p) => p,
                Err(sealing::OpenError::WrongKey) => bail!("the key is not this bid's key"),
                Err(sealing::OpenError::Undecryptable) => {
                    bail!("the sealed file does not open: it was changed or sealed wrongly")
                }
            };
            let opened = parse_plaintext(&plaintext).map_err(problem)?;
            println!("section: {}", parts.header.transaction_code);
            println!("price: {}", opened.price);
            if let Some(d) = opened.manifest.duration_days {
                println!("duration_days: {d}");
            }
            println!(
                "file: {} ({} bytes)",
                opened.manifest.filename, opened.manifest.size
            );
            println!("plaintext digest: {}", opened.plaintext_digest);
        }
        BidCommand::CustodianKeygen {
            threshold,
            count,
            out,
        } => {
            let key = sealing::generate_custodian_key(threshold, count).map_err(problem)?;
            std::fs::create_dir(&out)
                .with_context(|| format!("cannot create {} (it must not exist)", out.display()))?;
            write_new(
                &out.join("custodian.pub"),
                format!("{}\n", key.public_key).as_bytes(),
                false,
            )?;
            for (i, share) in key.shares.iter().enumerate() {
                write_new(
                    &out.join(format!("share-{}.txt", i + 1)),
                    format!("{share}\n").as_bytes(),
                    true,
                )?;
            }
            println!(
                "custodian public key (register it for the section): {}",
                key.public_key
            );
            println!(
                "{count} shares in {}: hand one to each custodian; any {threshold} open the bids",
                out.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
