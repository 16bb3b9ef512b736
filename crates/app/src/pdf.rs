//! PDF documents (the monthly supervision bulletin, …) typeset by typst from a template in the
//! repository, with the data passed as JSON in `sys.inputs.data`. The Chinese font is embedded in
//! the binary (`assets/fonts`), so a document prints the same on every node and nothing is read
//! from the machine or the network.

use std::sync::OnceLock;

use typst::foundations::{Bytes, Dict, Value};
use typst::text::Font;
use typst_as_lib::TypstEngine;
use typst_layout::PagedDocument;

use crate::{AppError, AppResult};

/// 文泉驿微米黑: a CJK font with Latin glyphs (Apache-2.0).
static FONT_FILE: &[u8] = include_bytes!("../../../assets/fonts/wqy-microhei.ttc");

/// The family name templates set: `#set text(font: "WenQuanYi Micro Hei")`.
pub const FONT_FAMILY: &str = "WenQuanYi Micro Hei";

/// The embedded faces, parsed once per process.
fn fonts() -> &'static [Font] {
    static FONTS: OnceLock<Vec<Font>> = OnceLock::new();
    FONTS.get_or_init(|| Font::iter(Bytes::new(FONT_FILE)).collect())
}

/// Typeset `template` (typst source) with `data` and return the PDF's bytes.
pub fn render(template: &str, data: &serde_json::Value) -> AppResult<Vec<u8>> {
    let engine = TypstEngine::builder()
        .main_file(template)
        .fonts(fonts().iter().cloned())
        .build();
    let mut inputs = Dict::new();
    inputs.insert("data".into(), Value::Str(data.to_string().into()));
    let doc: PagedDocument = engine
        .compile_with_input(inputs)
        .output
        .map_err(|e| AppError::Internal(format!("typesetting a PDF failed: {e:?}")))?;
    typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default())
        .map_err(|e| AppError::Internal(format!("writing a PDF failed: {e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_font_has_chinese_glyphs() {
        let f = fonts();
        assert!(!f.is_empty(), "faces parsed");
        assert!(f.iter().any(|f| f.info().family == FONT_FAMILY));
        assert!(f[0].info().coverage.contains('办' as u32), "covers Chinese");
    }

    #[test]
    fn a_template_renders_to_pdf() {
        let pdf = render(
            "#set text(font: \"WenQuanYi Micro Hei\")\n#let d = json(bytes(sys.inputs.data))\n= #d.title\n",
            &serde_json::json!({"title": "一月一通报"}),
        )
        .expect("renders");
        assert!(pdf.starts_with(b"%PDF-"), "a PDF");
        assert!(pdf.len() > 1000);
    }

    #[test]
    fn a_broken_template_is_an_error_not_a_panic() {
        assert!(render("#let x = (", &serde_json::json!({})).is_err());
    }
}
