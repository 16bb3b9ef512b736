//! 电子监察: the monthly bulletin counts the cases a department decided in the month, on time or
//! not, with the violations recorded; only supervisors of the organisation (or above) see it; it
//! downloads as XLSX and PDF.

use calamine::{Reader, Xlsx};
use yiwang_app::cases::handle::{self, AcceptInput, OpinionInput};
use yiwang_app::cases::supervision::{bulletin, bulletin_pdf, bulletin_xlsx};
use yiwang_core::ProblemKind;
use yiwang_core::cases::Verdict;
use yiwang_core::cases::supervision::bulletin_month;
use yiwang_testkit::{TestDb, backend_test};

use crate::world::*;

backend_test!(the_monthly_bulletin_counts_decided_cases_for_supervisors_only);
async fn the_monthly_bulletin_counts_decided_cases_for_supervisors_only(db: TestDb) {
    let b = db.backend;
    let w = World::new(&db).await;
    let app = &w.app;
    let (id, _, _) = w.submitted_case(&w.item).await;
    handle::accept(
        app,
        &w.window,
        &id,
        AcceptInput {
            participants: vec![],
        },
    )
    .await
    .unwrap_or_else(|e| panic!("[{b}] accept: {e}"));
    handle::record_opinion(
        app,
        &w.approver,
        &id,
        OpinionInput {
            task: "step1".into(),
            verdict: Verdict::Agree,
            comment: "同意".into(),
        },
    )
    .await
    .unwrap_or_else(|e| panic!("[{b}] opinion: {e}"));
    handle::decide(app, &w.approver, &id, true, "准予许可")
        .await
        .unwrap_or_else(|e| panic!("[{b}] decide: {e}"));
    let month = bulletin_month(chrono::Utc::now());

    let bl = bulletin(app, &w.depthead, &w.market_id, &month)
        .await
        .unwrap_or_else(|e| panic!("[{b}] bulletin: {e}"));
    assert_eq!(bl.month, month);
    assert_eq!(bl.departments.len(), 1, "[{b}] one department: {bl:?}");
    let line = &bl.departments[0];
    assert_eq!(line.org_id, w.market_id, "[{b}]");
    assert_eq!(
        (line.figures.decided, line.figures.on_time),
        (1, 1),
        "[{b}] decided on the day it was accepted: on time"
    );
    assert_eq!(line.figures.on_time_rate.to_string(), "100.00");
    assert_eq!(bl.total.decided, 1, "[{b}] total");

    // Another month has nothing.
    let empty = bulletin(app, &w.depthead, &w.market_id, "2020-01")
        .await
        .expect("an empty month");
    assert!(empty.departments.is_empty(), "[{b}]");
    assert_eq!(empty.total.on_time_rate.to_string(), "100.00");

    // Not a supervisor of this organisation, or not a month.
    for (who, actor) in [
        ("the applicant", &w.zhangwei),
        ("another department's head", &w.police_head),
        ("an approving officer", &w.approver),
    ] {
        let p = problem(
            bulletin(app, actor, &w.market_id, &month).await,
            &format!("[{b}] bulletin for {who}"),
        );
        assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}] {who}: {p:?}");
    }
    let p = problem(
        bulletin(app, &w.depthead, &w.market_id, "2026-13").await,
        "bad month",
    );
    assert_eq!(p.code, "cases.bulletin.month", "[{b}]");

    // The files.
    let xlsx = bulletin_xlsx(&bl).expect("xlsx");
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx)).expect("opens as XLSX");
    let sheet = wb.worksheet_range("部门").expect("department sheet");
    let text: Vec<String> = sheet.rows().flatten().map(|c| c.to_string()).collect();
    assert!(
        text.iter().any(|c| c == &line.name),
        "[{b}] the department's row: {text:?}"
    );
    assert!(text.iter().any(|c| c == "100"), "[{b}] its rate: {text:?}");
    let pdf = bulletin_pdf(&bl).expect("pdf");
    assert!(pdf.starts_with(b"%PDF-"), "[{b}] a PDF");
    w.finish(db).await;
}
