//! Downloadable files of an item's materials: the blank form (空白表格) and the filled sample
//! (示例样表), so that materials are complete at the first visit (看).

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use yiwang_core::Problem;
use yiwang_core::access::Actor;
use yiwang_core::catalog::{FormField, ItemBody};
use yiwang_store::prelude::*;
use yiwang_store::{CatalogFile, Store};

use super::items::{ItemView, parse_body, save_in};
use super::manage_grant;
use crate::blobs::{BlobRead, Blobs, Kind, Magic, MediaType, Stored};
use crate::{Acting, App, AppError, AppResult, digest, new_id, now_micros, record};

/// Largest accepted upload.
pub const MAX_FILE_BYTES: usize = FORM_KIND.max_bytes as usize;

/// Blank forms and samples: at most 5 MiB, of these types (by extension, declared type and
/// content signature).
pub const FORM_KIND: Kind = Kind {
    name: "catalog_form",
    max_bytes: 5 * 1024 * 1024,
    types: &[
        MediaType {
            ext: "pdf",
            mime: "application/pdf",
            magic: Magic::Pdf,
        },
        MediaType {
            ext: "doc",
            mime: "application/msword",
            magic: Magic::Ole,
        },
        MediaType {
            ext: "docx",
            mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            magic: Magic::Zip,
        },
        MediaType {
            ext: "xls",
            mime: "application/vnd.ms-excel",
            magic: Magic::Ole,
        },
        MediaType {
            ext: "xlsx",
            mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            magic: Magic::Zip,
        },
        MediaType {
            ext: "jpg",
            mime: "image/jpeg",
            magic: Magic::Jpeg,
        },
        MediaType {
            ext: "jpeg",
            mime: "image/jpeg",
            magic: Magic::Jpeg,
        },
        MediaType {
            ext: "png",
            mime: "image/png",
            magic: Magic::Png,
        },
    ],
};

/// Which file of a material.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileRole {
    BlankForm,
    Sample,
}

/// An uploaded file, spooled to disk by the caller.
#[derive(Debug, Clone, Copy)]
pub struct Upload<'a> {
    pub filename: &'a str,
    /// The type the client declared (`Content-Type` of the part or body), if any.
    pub declared_type: Option<&'a str>,
    pub path: &'a Path,
}

/// Record a stored blob as a file, with its ledger entry.
async fn insert_file(
    tx: &mut dyn WriteTx,
    by: &Acting,
    filename: String,
    content_type: &str,
    stored: &Stored,
) -> AppResult<CatalogFile> {
    let file = CatalogFile {
        id: new_id(),
        filename,
        content_type: content_type.into(),
        size: stored.size as i64,
        digest: stored.digest.clone(),
        created_at: now_micros(),
    };
    tx.insert_file(&file).await?;
    record(
        tx,
        by,
        "catalog.file.upload",
        ("catalog_file", &file.id),
        vec![digest(CatalogFile::TABLE, &file.id, file.row_digest())],
        serde_json::json!({ "filename": file.filename, "size": file.size }),
    )
    .await?;
    Ok(file)
}

/// Store a generated form (small, in memory) and record it, inside the caller's transaction.
pub(crate) async fn insert_generated(
    tx: &mut dyn WriteTx,
    blobs: &Blobs,
    by: &Acting,
    filename: &str,
    content: Vec<u8>,
) -> AppResult<CatalogFile> {
    let (name, mime) = FORM_KIND.check(filename, None, &content)?;
    let stored = blobs.put_bytes(content).await?;
    insert_file(tx, by, name, mime, &stored).await
}

/// May this caller attach files to this item? Checked before an upload is read (and again by
/// [`attach_file`] in its transaction).
pub async fn authorize_attach(
    store: &Arc<dyn Store>,
    actor: &Actor,
    item_id: &str,
) -> AppResult<()> {
    let mut tx = store.read().await?;
    let item = tx
        .get_item(item_id)
        .await?
        .ok_or_else(|| Problem::not_found("事项", "Service item"))?;
    manage_grant(&mut *tx, actor, &item.org_id).await?;
    Ok(())
}

async fn head_of(path: &Path) -> AppResult<Vec<u8>> {
    use tokio::io::AsyncReadExt;
    let mut head = Vec::with_capacity(16);
    tokio::fs::File::open(path)
        .await
        .map_err(|e| AppError::Internal(format!("spooled upload: {e}")))?
        .take(16)
        .read_to_end(&mut head)
        .await
        .map_err(|e| AppError::Internal(format!("spooled upload: {e}")))?;
    Ok(head)
}

/// Attach a blank form or sample to a material of an item (saved as a draft version). The
/// content goes into the blob store first; the row and its ledger entry commit after it (a
/// failure in between leaves a blob that clean-up removes).
pub async fn attach_file(
    app: &App,
    actor: &Actor,
    item_id: &str,
    material: &str,
    role: FileRole,
    upload: Upload<'_>,
) -> AppResult<ItemView> {
    let head = head_of(upload.path).await?;
    if head.is_empty() {
        return Err(Problem::invalid(
            "upload.empty",
            "上传的文件是空的。",
            "The uploaded file is empty.",
        )
        .into());
    }
    let (filename, mime) = FORM_KIND.check(upload.filename, upload.declared_type, &head)?;
    let stored = app
        .blobs()
        .put_file(upload.path, FORM_KIND.max_bytes)
        .await?;
    let mut tx = app.store.write().await?;
    let item = tx
        .get_item(item_id)
        .await?
        .ok_or_else(|| Problem::not_found("事项", "Service item"))?;
    let (grant, org) = manage_grant(&mut *tx, actor, &item.org_id).await?;
    let by = Acting::as_grant(actor, grant);
    let latest = tx
        .get_item_version(&item.id, item.latest_version)
        .await?
        .ok_or_else(|| AppError::Internal("latest version missing".into()))?;
    let mut body = parse_body(&latest)?;
    let Some(m) = body.materials.iter_mut().find(|m| m.name == material) else {
        return Err(Problem::invalid(
            "file.material",
            format!("事项没有名为“{material}”的材料"),
            format!("The item has no material named \"{material}\""),
        )
        .into());
    };
    let file = insert_file(&mut *tx, &by, filename, mime, &stored).await?;
    match role {
        FileRole::BlankForm => m.blank_form = Some(file.id.clone()),
        FileRole::Sample => m.sample = Some(file.id.clone()),
    }
    let view = save_in(&mut *tx, &by, item, &org, body).await?;
    tx.commit().await?;
    // Clean-up may have removed an identical, then unreferenced, blob between the write and the
    // commit: put it back from the spooled upload.
    if app.blobs().exists(&stored.digest).await?.is_none() {
        app.blobs()
            .put_file(upload.path, FORM_KIND.max_bytes)
            .await?;
    }
    Ok(view)
}

/// A file's metadata (public).
pub async fn file_info(store: &Arc<dyn Store>, id: &str) -> AppResult<CatalogFile> {
    store
        .read()
        .await?
        .get_file(id)
        .await?
        .ok_or_else(|| Problem::not_found("文件", "File").into())
}

/// A file for download, streamed from the blob store (public: forms are meant to be fetched
/// before the visit). `range` is a byte range already checked against the file's size.
pub async fn download(
    app: &App,
    id: &str,
    range: Option<Range<u64>>,
) -> AppResult<(CatalogFile, BlobRead)> {
    let file = file_info(&app.store, id).await?;
    open_blob(app.blobs(), file, range).await
}

/// Open the content of a known file.
pub async fn open_blob(
    blobs: &Blobs,
    file: CatalogFile,
    range: Option<Range<u64>>,
) -> AppResult<(CatalogFile, BlobRead)> {
    match blobs.get(&file.digest, range).await? {
        Some(read) => Ok((file, read)),
        None => {
            tracing::error!(file = %file.id, digest = %file.digest, blobs = %blobs.describe(), "the content of a file is missing from the blob store");
            Err(AppError::Internal(format!(
                "content of file {} missing from the blob store",
                file.id
            )))
        }
    }
}

/// A blank application form (or a filled sample) as an XLSX sheet: the form's fields with room
/// to write, generated from the item's form definition.
pub fn generate_form(body: &ItemBody, material: &str, sample: bool) -> Vec<u8> {
    use rust_xlsxwriter::{Format, FormatBorder, Workbook};
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    let title = Format::new().set_bold().set_font_size(16);
    let label = Format::new().set_bold().set_border(FormatBorder::Thin);
    let cell = Format::new().set_border(FormatBorder::Thin);
    let _ = sheet.set_column_width(0, 24);
    let _ = sheet.set_column_width(1, 48);
    let _ = sheet.write_with_format(0, 0, material, &title);
    let _ = sheet.write(1, 0, format!("事项:{}({})", body.name, body.code));
    if sample {
        let _ = sheet.write(2, 0, "示例样表:以下内容仅供填写参考");
    }
    let fields: Vec<FormField> = if body.form_fields.is_empty() {
        vec![
            FormField {
                key: "applicant_name".into(),
                label: "申请人姓名/名称".into(),
                kind: "text".into(),
                required: true,
            },
            FormField {
                key: "phone".into(),
                label: "联系电话".into(),
                kind: "phone".into(),
                required: true,
            },
            FormField {
                key: "address".into(),
                label: "联系地址".into(),
                kind: "address".into(),
                required: false,
            },
        ]
    } else {
        body.form_fields.clone()
    };
    for (i, f) in fields.iter().enumerate() {
        let row = 4 + i as u32;
        let mark = if f.required { "*" } else { "" };
        let _ = sheet.write_with_format(row, 0, format!("{}{}", f.label, mark), &label);
        let value = if sample {
            sample_value(&f.kind, &f.key)
        } else {
            String::new()
        };
        let _ = sheet.write_with_format(row, 1, value, &cell);
    }
    let end = 5 + fields.len() as u32;
    let _ = sheet.write(end, 0, "申请人(签章):");
    let _ = sheet.write(end + 1, 0, "日期:");
    let _ = sheet.write(end + 3, 0, format!("咨询电话:{}", body.consult_phone));
    wb.save_to_buffer().unwrap_or_default()
}

/// The sample form's value of a field: the documented sample of its kind
/// (`FieldKind::sample_value`), with a name where the key asks for one.
fn sample_value(kind: &str, key: &str) -> String {
    use yiwang_core::cases::form::FieldKind;
    match (FieldKind::parse(kind.trim()), key) {
        (Some(FieldKind::Text) | None, "company_name") => "宿迁市禾丰餐饮管理有限公司".into(),
        (Some(FieldKind::Text) | None, "baby_name") => "张小宝".into(),
        (Some(FieldKind::Text) | None, _) => "张伟".into(),
        (Some(k), _) => k.sample_value().into(),
    }
}
