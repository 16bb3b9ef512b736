use chrono::{NaiveDate, TimeZone, Utc};
use yiwang_app::calendar::{self, Amendment};
use yiwang_app::identity::create_user;
use yiwang_app::organisations::{NewOrganisation, create_organisation};
use yiwang_core::ProblemKind;
use yiwang_core::calendar::{CalendarEntry, DayKind};
use yiwang_testkit::{TestDb, backend_test};

use crate::common::{actor, demo_app, finish, org_en, problem, staff, verify};

fn new_org(name: &str, region: &str, parent: Option<&str>) -> NewOrganisation {
    NewOrganisation {
        name: name.into(),
        name_en: String::new(),
        kind: "department".into(),
        region_code: region.into(),
        parent_id: parent.map(Into::into),
        credit_code: None,
    }
}

backend_test!(creating_organisations_needs_an_administrator_above);
async fn creating_organisations_needs_an_administrator_above(db: TestDb) {
    let b = db.backend;
    let app = demo_app(&db).await;
    let suqian = org_en(&app, "Suqian People's Government").await;
    let hohhot = org_en(&app, "Hohhot People's Government").await;
    let mongolia = org_en(&app, "Inner Mongolia Autonomous Region").await;
    let orgs_before = app
        .store
        .read()
        .await
        .expect("read")
        .list_organisations("")
        .await
        .expect("list")
        .len();

    let (_, window) = actor(&app, "window").await;
    let p = problem(
        create_organisation(
            &app.store,
            &window,
            new_org("窗口自建", "321300", Some(&suqian.id)),
        )
        .await,
        "window creates an organisation",
    );
    assert_eq!(
        p.kind,
        ProblemKind::Forbidden,
        "[{b}] window officer: {p:?}"
    );
    let p = problem(
        create_organisation(&app.store, &window, new_org("窗口自建根", "321300", None)).await,
        "window creates a root",
    );
    assert_eq!(
        p.kind,
        ProblemKind::Forbidden,
        "[{b}] window officer, root: {p:?}"
    );

    // A city-level administrator, created by the platform administrator.
    let (_, admin) = actor(&app, "admin").await;
    create_user(
        &app.store,
        &admin,
        staff("sq-admin", &[("administrator", &suqian.id)]),
    )
    .await
    .unwrap_or_else(|e| panic!("[{b}] admin creates a city administrator: {e}"));
    let (_, city_admin) = actor(&app, "sq-admin").await;
    let created = create_organisation(
        &app.store,
        &city_admin,
        new_org("宿迁市数据局", "321300", Some(&suqian.id)),
    )
    .await
    .unwrap_or_else(|e| panic!("[{b}] city admin creates below the own city: {e}"));
    assert_eq!(
        created.path,
        format!("{}{}/", suqian.path, created.id),
        "[{b}] path"
    );
    assert_eq!(
        created.parent_id.as_deref(),
        Some(suqian.id.as_str()),
        "[{b}] parent"
    );

    for (parent, what) in [
        (&hohhot, "another province's city"),
        (&mongolia, "another province"),
    ] {
        let p = problem(
            create_organisation(
                &app.store,
                &city_admin,
                new_org("越权机构", "150100", Some(&parent.id)),
            )
            .await,
            what,
        );
        assert_eq!(
            p.kind,
            ProblemKind::Forbidden,
            "[{b}] city admin under {what}: {p:?}"
        );
    }
    let p = problem(
        create_organisation(&app.store, &city_admin, new_org("越权根", "321300", None)).await,
        "root",
    );
    assert_eq!(
        p.kind,
        ProblemKind::Forbidden,
        "[{b}] city admin creates a root: {p:?}"
    );

    // The platform administrator may create there.
    create_organisation(
        &app.store,
        &admin,
        new_org("呼和浩特市数据局", "150100", Some(&hohhot.id)),
    )
    .await
    .unwrap_or_else(|e| panic!("[{b}] platform admin creates under Hohhot: {e}"));
    let orgs_after = app
        .store
        .read()
        .await
        .expect("read")
        .list_organisations("")
        .await
        .expect("list")
        .len();
    assert_eq!(
        orgs_after,
        orgs_before + 2,
        "[{b}] only the two permitted organisations exist"
    );
    let r = verify(&app).await;
    assert!(r.intact(), "[{b}] still intact: {:#?}", r.findings);
    finish(app, db).await;
}

backend_test!(amending_the_calendar_is_for_platform_administrators_and_moves_deadlines);
async fn amending_the_calendar_is_for_platform_administrators_and_moves_deadlines(db: TestDb) {
    let b = db.backend;
    let app = demo_app(&db).await;
    let date = |m: u32, d: u32| NaiveDate::from_ymd_opt(2026, m, d).expect("date");
    // 10:00 in Beijing on Friday 27 February 2026 and Saturday 28 February (调休上班).
    let fri = Utc.with_ymd_and_hms(2026, 2, 27, 2, 0, 0).unwrap();
    let sat = Utc.with_ymd_and_hms(2026, 2, 28, 2, 0, 0).unwrap();
    let last = |start, n| {
        calendar::deadline(&app, start, n)
            .expect("deadline")
            .last_day
    };
    assert_eq!(
        app.calendar().version,
        1,
        "[{b}] official calendar is version 1"
    );
    assert_eq!(
        last(fri, 1),
        date(2, 28),
        "[{b}] Sat 28 Feb 2026 is a make-up working day"
    );
    assert_eq!(last(fri, 2), date(3, 2), "[{b}] before the amendment");
    assert_eq!(last(sat, 1), date(3, 2), "[{b}] before the amendment");

    let amendment = Amendment {
        note: "临时停工一天(测试)".into(),
        set: vec![CalendarEntry {
            date: date(3, 2),
            kind: DayKind::Off,
            name: "临时休息日".into(),
        }],
        remove: vec![],
    };
    let (_, supervisor) = actor(&app, "supervisor").await;
    let p = problem(
        calendar::amend(&app, &supervisor, amendment.clone()).await,
        "supervisor amends",
    );
    assert_eq!(p.kind, ProblemKind::Forbidden, "[{b}] supervisor: {p:?}");
    assert_eq!(app.calendar().version, 1, "[{b}] nothing changed");
    assert_eq!(
        calendar::versions(&app.store)
            .await
            .expect("versions")
            .len(),
        1,
        "[{b}] no version written"
    );

    let (_, admin) = actor(&app, "admin").await;
    let v = calendar::amend(&app, &admin, amendment)
        .await
        .unwrap_or_else(|e| panic!("[{b}] admin amends: {e}"));
    assert_eq!(v.version, 2, "[{b}] new version");
    assert_eq!(
        v.created_by.as_deref(),
        Some(admin.user_id.as_str()),
        "[{b}] created_by"
    );
    assert_eq!(
        app.calendar().version,
        2,
        "[{b}] the app's cached calendar moved on"
    );
    let d = calendar::deadline(&app, fri, 2).expect("deadline");
    assert_eq!(d.calendar_version, 2, "[{b}] deadline uses version 2");
    assert_eq!(d.last_day, date(3, 3), "[{b}] Mon 2 Mar is now off");
    assert_eq!(last(sat, 1), date(3, 3), "[{b}] after the amendment");
    assert_eq!(last(fri, 1), date(2, 28), "[{b}] unaffected");
    let current = calendar::current(&app.store)
        .await
        .expect("current")
        .expect("a version");
    assert!(
        current
            .days
            .iter()
            .any(|e| e.date == date(3, 2) && e.kind == DayKind::Off),
        "[{b}] the stored version 2 lists the day off"
    );
    let r = verify(&app).await;
    assert!(r.intact(), "[{b}] still intact: {:#?}", r.findings);
    finish(app, db).await;
}
