//! 办件 pages: applying from a hall item (form, draft, materials, submission), "my cases", the
//! case page with its 一次性告知 and the officers' one-click actions, window registration
//! (一窗受理), the officers' inbox by deadline, and, without sign-in, the progress query and the
//! public case list (办件公示). One file per screen; their routes are listed in [`routes`].

mod actions;
mod apply;
mod case;
mod inbox;
mod mine;
mod public;
mod supervision;
mod window;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use yiwang_core::cases::{CaseState, WarningLevel};
use yiwang_core::time::display_local;

use crate::AppState;
use crate::i18n::I18n;

/// Multipart bodies of the case pages: one material file (20 MB) and the form around it, or a
/// window registration with several files.
pub const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

/// The case pages, listed once (registered as the `cases` web capability).
pub fn routes() -> Router<AppState> {
    let uploads = || DefaultBodyLimit::max(UPLOAD_LIMIT);
    Router::new()
        .route("/cases/progress", get(public::progress))
        .route("/cases/public", get(public::public_list))
        .route("/cases/mine", get(mine::mine))
        .route("/cases/inbox", get(inbox::inbox))
        .route("/cases/supervision", get(supervision::supervision))
        .route(
            "/cases/apply/{item}",
            get(apply::apply_page).post(apply::start),
        )
        .route(
            "/cases/window/{item}",
            get(window::register_page)
                .post(window::register)
                .layer(uploads()),
        )
        .route("/cases/{id}", get(case::case_page))
        .route("/cases/{id}/form", post(apply::save))
        .route(
            "/cases/{id}/materials",
            post(apply::upload).layer(uploads()),
        )
        .route("/cases/{id}/do/{action}", post(actions::act))
}

/// A state as a page shows it: the label in the viewer's language and a CSS class.
pub struct StateTag {
    pub label: String,
    pub class: &'static str,
}

pub fn state_tag(i: I18n, s: CaseState) -> StateTag {
    let class = match s {
        CaseState::Draft => "st-draft",
        CaseState::Submitted | CaseState::PreReview => "st-waiting",
        CaseState::CorrectionRequested | CaseState::Suspended => "st-applicant",
        CaseState::Accepted | CaseState::InReview => "st-review",
        CaseState::Decided | CaseState::Completed | CaseState::Delivered => "st-done",
        CaseState::NotAccepted | CaseState::Withdrawn | CaseState::Transferred => "st-closed",
    };
    StateTag {
        label: i.t(s.label_zh(), s.label_en()).to_string(),
        class,
    }
}

/// A deadline warning mark: `None` when on time.
pub struct WarnTag {
    pub label: String,
    pub class: &'static str,
}

pub fn warn_tag(i: I18n, level: &str) -> Option<WarnTag> {
    let l = WarningLevel::parse(level)?;
    let class = match l {
        WarningLevel::Normal => return None,
        WarningLevel::Yellow => "warn-yellow",
        WarningLevel::Red => "warn-red",
    };
    Some(WarnTag {
        label: i.t(l.label_zh(), l.label_en()).to_string(),
        class,
    })
}

/// A time (Beijing) or a dash.
pub fn when(us: Option<i64>) -> String {
    us.map(display_local).unwrap_or_else(|| "—".into())
}

/// One line of a list of cases.
pub struct CaseLine {
    pub id: String,
    pub number: String,
    pub item: String,
    pub applicant: String,
    pub state: StateTag,
    pub warn: Option<WarnTag>,
    pub received: String,
    pub due: String,
}

impl CaseLine {
    pub fn of(i: I18n, v: &yiwang_app::cases::CaseView) -> Self {
        let c = &v.case;
        CaseLine {
            id: c.id.clone(),
            number: c.number.clone(),
            item: c.item_name.clone(),
            applicant: c.applicant_name.clone(),
            state: state_tag(i, v.state),
            warn: warn_tag(i, &c.warning_level),
            received: when(c.received_at.or(Some(c.created_at))),
            due: when(c.due_at),
        }
    }
}

/// A form field of the item version as a page shows it: label, kind hint, value and error.
pub struct FieldView {
    pub name: String,
    pub label: String,
    pub hint: String,
    pub input_type: &'static str,
    pub required: bool,
    pub value: String,
    pub error: Option<String>,
}

/// The messages of a problem's `details.fields`, by field key (`materials` for the material
/// checks).
pub fn field_errors(i: I18n, p: &yiwang_core::Problem) -> Vec<(String, String)> {
    p.details
        .as_ref()
        .and_then(|d| d.get("fields"))
        .and_then(|f| f.as_array())
        .map(|a| {
            a.iter()
                .map(|e| {
                    let s = |k: &str| e.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
                    let msg = if i.en { s("message_en") } else { s("message") };
                    (s("field"), msg)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The item version's form fields with values (`f_<key>` in forms) and errors.
pub fn field_views(
    i: I18n,
    fields: &[yiwang_core::catalog::FormField],
    values: &std::collections::BTreeMap<String, String>,
    errors: &[(String, String)],
) -> Vec<FieldView> {
    use yiwang_core::cases::FieldKind;
    fields
        .iter()
        .map(|f| {
            let kind = FieldKind::of(f);
            let input_type = match kind {
                FieldKind::Date => "date",
                FieldKind::Phone => "tel",
                FieldKind::Number => "number",
                _ => "text",
            };
            FieldView {
                name: format!("f_{}", f.key),
                label: f.label.clone(),
                // Free text needs no example; the other kinds show a valid one.
                hint: match kind {
                    FieldKind::Text => String::new(),
                    _ => format!(
                        "{}{}{}",
                        i.t(kind.label_zh(), kind.label_en()),
                        i.t("，例：", ", e.g. "),
                        kind.sample_value()
                    ),
                },
                input_type,
                required: f.required,
                value: values.get(&f.key).cloned().unwrap_or_default(),
                error: errors
                    .iter()
                    .filter(|(k, _)| k == &f.key)
                    .map(|(_, m)| m.clone())
                    .next(),
            }
        })
        .collect()
}

/// The `f_<key>` fields of a posted form.
pub fn form_values(pairs: &[(String, String)]) -> std::collections::BTreeMap<String, String> {
    pairs
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("f_").map(|k| (k.to_string(), v.clone())))
        .filter(|(_, v)| !v.trim().is_empty())
        .collect()
}

/// The first value of a posted field (trimmed), or "".
pub fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .unwrap_or("")
}

/// Every value of a repeated field (checkboxes).
pub fn fields<'a>(pairs: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// The applicant of a posted form: a natural person (`a_name`, `a_id`, `a_mobile`) or, for a
/// legal person (`a_kind=legal`), the firm (`a_name`, `a_credit`) and its handler (`h_name`,
/// `h_id`, `h_mobile`).
pub fn applicant_of(
    pairs: &[(String, String)],
    legal: bool,
) -> yiwang_app::cases::apply::ApplicantInput {
    use yiwang_app::cases::apply::ApplicantInput;
    let f = |k: &str| field(pairs, k).to_string();
    if legal {
        ApplicantInput::Legal {
            name: f("a_name"),
            credit_code: f("a_credit"),
            handler_name: f("h_name"),
            handler_id_number: f("h_id"),
            handler_mobile: f("h_mobile"),
        }
    } else {
        ApplicantInput::Natural {
            name: f("a_name"),
            id_number: f("a_id"),
            mobile: f("a_mobile"),
        }
    }
}

/// The applicant fields of a form, prefilled.
#[derive(Default, Clone)]
pub struct ApplicantForm {
    pub legal: bool,
    pub name: String,
    pub id_number: String,
    pub mobile: String,
    pub credit_code: String,
    pub handler_name: String,
    pub handler_id: String,
    pub handler_mobile: String,
}

impl ApplicantForm {
    pub fn from_pairs(pairs: &[(String, String)], legal: bool) -> Self {
        let f = |k: &str| field(pairs, k).to_string();
        ApplicantForm {
            legal,
            name: f("a_name"),
            id_number: f("a_id"),
            mobile: f("a_mobile"),
            credit_code: f("a_credit"),
            handler_name: f("h_name"),
            handler_id: f("h_id"),
            handler_mobile: f("h_mobile"),
        }
    }
}

impl ApplicantForm {
    /// The applicant as stored with a case (`Applicant` as JSON).
    pub fn from_json(s: &str) -> Self {
        let v: serde_json::Value = serde_json::from_str(s).unwrap_or_default();
        let g = |v: &serde_json::Value, k: &str| {
            v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string()
        };
        let h = v.get("handler").cloned().unwrap_or_default();
        ApplicantForm {
            legal: g(&v, "kind") == "legal",
            name: g(&v, "name"),
            id_number: g(&v, "id_number"),
            mobile: g(&v, "mobile"),
            credit_code: g(&v, "credit_code"),
            handler_name: g(&h, "name"),
            handler_id: g(&h, "id_number"),
            handler_mobile: g(&h, "mobile"),
        }
    }

    /// The signed-in account holder, for a new application.
    pub fn of_user(s: &crate::auth::SignedIn) -> Self {
        let legal = s.actor.kind == yiwang_core::access::AccountKind::LegalPerson;
        let u = &s.user;
        if legal {
            ApplicantForm {
                legal,
                name: u.display_name.clone(),
                credit_code: u.credit_code.clone().unwrap_or_default(),
                handler_mobile: u.phone.clone().unwrap_or_default(),
                ..Default::default()
            }
        } else {
            ApplicantForm {
                legal,
                name: u.display_name.clone(),
                id_number: u.id_number.clone().unwrap_or_default(),
                mobile: u.phone.clone().unwrap_or_default(),
                ..Default::default()
            }
        }
    }
}

/// The first bytes of a spooled upload (for the content signature).
pub async fn head_of(path: &std::path::Path) -> Result<Vec<u8>, yiwang_app::AppError> {
    use tokio::io::AsyncReadExt;
    let mut head = Vec::with_capacity(16);
    let file = tokio::fs::File::open(path)
        .await
        .map_err(|e| yiwang_app::AppError::Internal(format!("spooled upload: {e}")))?;
    file.take(16)
        .read_to_end(&mut head)
        .await
        .map_err(|e| yiwang_app::AppError::Internal(format!("spooled upload: {e}")))?;
    Ok(head)
}
