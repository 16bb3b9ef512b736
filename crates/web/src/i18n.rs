//! Chinese first, English on request: the `lang` cookie (set by `/lang/en` or `/lang/zh`) picks the
//! language of pages. Templates carry both texts side by side and ask [`I18n::t`] which to show.

use axum::http::HeaderMap;

use crate::auth::cookie;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct I18n {
    pub en: bool,
}

impl I18n {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        I18n {
            en: cookie(headers, "lang").as_deref() == Some("en"),
        }
    }

    /// Pick the text for the current language.
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        if self.en { en } else { zh }
    }

    /// The value of `<html lang>`.
    pub fn html_lang(&self) -> &'static str {
        if self.en { "en" } else { "zh-CN" }
    }
}
