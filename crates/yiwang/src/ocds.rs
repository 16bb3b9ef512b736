//! `yiwang ocds export DIR`: every OCDS release package and record of the platform as JSON files,
//! with an index, for bulk publication (DOMAIN §2.5).

use std::path::Path;

use anyhow::{Context, Result};
use clap::Subcommand;
use serde_json::json;

#[derive(Subcommand)]
pub enum OcdsCommand {
    /// Write DIR/packages/<ocid>.json (release package), DIR/records/<ocid>.json (record package)
    /// for every published section, and DIR/index.json listing them. The ocid prefix is
    /// YIWANG_OCDS_PREFIX, the address the URIs start with YIWANG_PUBLIC_URL.
    Export {
        #[arg(long, env = "YIWANG_DB", default_value = crate::DEFAULT_DB)]
        db: String,
        /// The directory to write (created when missing; files of the same name are replaced).
        dir: std::path::PathBuf,
    },
}

fn write_json(path: &Path, value: &serde_json::Value) -> Result<()> {
    let text = serde_json::to_vec_pretty(value).context("serialise")?;
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

pub async fn run(command: OcdsCommand, blobs: Option<&str>) -> Result<()> {
    let OcdsCommand::Export { db, dir } = command;
    let opts = yiwang_app::AppOptions {
        signing_key: crate::signing_key(false, false)?,
        ocds: crate::ocds_options()?,
        ..Default::default()
    };
    let app = crate::start_with(&db, blobs, opts).await?;
    let all = yiwang_app::trading::ocds::all_releases(&app)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"));
    app.store.close().await;
    let all = all?;
    for sub in ["packages", "records"] {
        std::fs::create_dir_all(dir.join(sub))
            .with_context(|| format!("cannot create {}", dir.join(sub).display()))?;
    }
    let bar = crate::progress_bar("导出 exporting");
    bar.set_length(all.len() as u64);
    let mut index = Vec::new();
    let mut releases = 0;
    for r in &all {
        // An ocid is `ocds-xxxxxx-` and a transaction code: letters, digits and hyphens only.
        let name = format!("{}.json", r.ocid);
        write_json(
            &dir.join("packages").join(&name),
            &yiwang_app::trading::ocds::package(&app, r),
        )?;
        write_json(
            &dir.join("records").join(&name),
            &yiwang_app::trading::ocds::record(&app, r),
        )?;
        releases += r.releases.len();
        index.push(json!({
            "ocid": r.ocid,
            "releases": r.releases.len(),
            "package": format!("packages/{name}"),
            "record": format!("records/{name}"),
        }));
        bar.inc(1);
    }
    bar.finish_and_clear();
    let o = app.ocds();
    write_json(
        &dir.join("index.json"),
        &json!({
            "version": yiwang_core::trading::ocds::OCDS_VERSION,
            "publisher": o.publisher,
            "ocid_prefix": o.config.ocid_prefix(),
            "exported_at": yiwang_core::time::rfc3339_micros(yiwang_app::now_micros()),
            "processes": index,
        }),
    )?;
    println!(
        "exported {} contracting processes ({releases} releases) to {}",
        all.len(),
        dir.display()
    );
    Ok(())
}
