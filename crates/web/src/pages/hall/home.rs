//! The hall's front page: life events, quick links by type and the headline figures.

use axum::extract::State;
use axum::response::Response;
use yiwang_app::catalog::{bundles, stats};

use super::{enc, flag_label, type_label};
use crate::AppState;
use crate::i18n::I18n;
use crate::pages::{Nav, Page, PageError, render};

pub struct EventCard {
    pub id: String,
    pub name: String,
    pub description: String,
    pub items: usize,
    pub days: u32,
}

pub struct QuickLink {
    pub label: String,
    pub href: String,
}

pub struct Headline {
    pub items: u64,
    pub departments: u64,
    pub bundles: u64,
    pub online_share: f64,
    pub fully_online_share: f64,
    pub at_most_once_share: f64,
}

#[derive(askama::Template)]
#[template(path = "hall_home.html")]
struct HallHome {
    i: I18n,
    nav: Nav,
    events: Vec<EventCard>,
    quick: Vec<QuickLink>,
    headline: Headline,
}

pub async fn home(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    let i = page.i;
    let events = bundles::published_bundles(&state.app.store).await?;
    let st = stats::stats(&state.app).await?;
    let mut quick: Vec<QuickLink> = st
        .by_type
        .iter()
        .filter(|t| t.count > 0)
        .take(6)
        .map(|t| QuickLink {
            label: format!("{} ({})", type_label(i, &t.label), t.count),
            href: format!("/hall/search?type={}", enc(&t.label)),
        })
        .collect();
    for key in ["fully_online", "at_most_once"] {
        quick.push(QuickLink {
            label: flag_label(i, key),
            href: format!("/hall/search?flag={key}"),
        });
    }
    Ok(render(&HallHome {
        i,
        nav: page.nav,
        events: events
            .into_iter()
            .map(|(row, body)| EventCard {
                id: row.id,
                name: body.name,
                description: body.description,
                items: body.item_codes.len(),
                days: body.promised_limit_days,
            })
            .collect(),
        quick,
        headline: Headline {
            items: st.published_items,
            departments: st.departments,
            bundles: st.bundles,
            online_share: st.online_share,
            fully_online_share: st.fully_online_share,
            at_most_once_share: st.at_most_once_share,
        },
    }))
}
