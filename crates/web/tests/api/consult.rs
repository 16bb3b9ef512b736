//! Consultations with personal data: the public FAQ wording must be redacted before publishing;
//! the asker reads the private answer in 我的咨询 (page and API) and nobody else does.

use serde_json::json;
use yiwang_testkit::{TestDb, TestServer, backend_test, backends};

use crate::{demo, demo_token, expect_error, get_as, hidden_csrf, send_json, sign_in};

const ASKED: &str = "我叫张伟,身份证号110101199003074514,手机138-0013-8000,开小吃店需要办理许可吗?";

#[tokio::test]
async fn a_question_with_an_id_or_phone_number_is_published_only_when_redacted() {
    for db in backends().await {
        let b = db.backend;
        let s = TestServer::start(&db).await;
        demo(&s).await;
        yiwang_app::demo::build_catalog(&s.app)
            .await
            .expect("demo catalogue");
        let citizen = demo_token(&s, "zhangwei").await;
        let approver = demo_token(&s, "approver").await;
        let other = demo_token(&s, "expert").await;
        let (_, page) = send_json(
            b,
            s.new_client()
                .get(s.url("/api/v1/catalog/search?q=%E5%BC%80%E9%A5%AD%E5%BA%97")),
        )
        .await;
        let id = page["hits"][0]["id"].as_str().expect("a hit").to_string();

        let (st, q) = send_json(
            b,
            s.new_client()
                .post(s.url(&format!("/api/v1/catalog/items/{id}/questions")))
                .bearer_auth(&citizen)
                .json(&json!({ "question": ASKED })),
        )
        .await;
        assert_eq!(st, 201, "[{b}] {q}");
        let qid = q["id"].as_str().unwrap().to_string();
        let answer = |body: serde_json::Value| {
            s.new_client()
                .post(s.url(&format!("/api/v1/catalog/questions/{qid}/answer")))
                .bearer_auth(&approver)
                .json(&body)
        };

        // Word for word: 422 with the kinds found.
        let e = expect_error(
            b,
            answer(json!({"answer": "需要办理。", "publish_faq": true})),
            422,
            "question.personal_data",
        )
        .await;
        assert_eq!(
            e["details"]["kinds"],
            json!(["id_number", "mobile", "name"]),
            "[{b}] {e}"
        );
        assert!(
            e["message"].as_str().unwrap().contains("身份证号码"),
            "[{b}] {e}"
        );
        assert!(
            e["message_en"].as_str().unwrap().contains("ID number"),
            "[{b}] {e}"
        );
        let finding = &e["details"]["findings"][1];
        assert_eq!(finding["field"], "public_question", "[{b}] {e}");
        assert_eq!(finding["text"], "110101199003074514", "[{b}] {e}");
        // Only the phone number removed: still refused.
        expect_error(
            b,
            answer(json!({"answer": "需要办理。", "publish_faq": true,
                "public_question": "身份证号110101199003074514,开小吃店需要办理许可吗?"})),
            422,
            "question.personal_data",
        )
        .await;
        let (_, faqs) = send_json(
            b,
            s.new_client()
                .get(s.url(&format!("/api/v1/catalog/items/{id}/faqs"))),
        )
        .await;
        assert_eq!(faqs, json!([]), "[{b}] nothing published");

        // Redacted: published; the FAQ holds only the public wording.
        let (st, v) = send_json(
            b,
            answer(json!({
                "answer": "张伟您好:需要办理,请带身份证原件到窗口。",
                "publish_faq": true,
                "public_question": "开小吃店需要办理许可吗?",
                "public_answer": "需要办理,请带身份证原件到窗口。"
            })),
        )
        .await;
        assert_eq!(st, 200, "[{b}] {v}");
        let (_, faqs) = send_json(
            b,
            s.new_client()
                .get(s.url(&format!("/api/v1/catalog/items/{id}/faqs"))),
        )
        .await;
        assert_eq!(faqs.as_array().unwrap().len(), 1, "[{b}] {faqs}");
        assert_eq!(faqs[0]["question"], "开小吃店需要办理许可吗?", "[{b}]");
        assert_eq!(
            faqs[0]["answer"], "需要办理,请带身份证原件到窗口。",
            "[{b}]"
        );
        let public = faqs.to_string();
        for secret in ["110101199003074514", "138-0013-8000", "张伟"] {
            assert!(!public.contains(secret), "[{b}] {secret} in {public}");
        }
        let html = s
            .new_client()
            .get(s.url(&format!("/hall/items/{id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("开小吃店需要办理许可吗?"),
            "[{b}] FAQ on the page"
        );
        assert!(!html.contains("110101199003074514"), "[{b}]");

        // 我的咨询 through the API: the asker's own text and the private answer.
        let (st, mine) = send_json(b, get_as(&s, "/api/v1/catalog/questions/mine", &citizen)).await;
        assert_eq!(st, 200, "[{b}] {mine}");
        assert_eq!(mine[0]["question"], ASKED, "[{b}]");
        assert_eq!(
            mine[0]["answer"], "张伟您好:需要办理,请带身份证原件到窗口。",
            "[{b}]"
        );
        assert_eq!(mine[0]["published_as_faq"], true, "[{b}]");
        // Nobody else sees it, and signing in is needed.
        let (_, others) = send_json(b, get_as(&s, "/api/v1/catalog/questions/mine", &other)).await;
        assert_eq!(others, json!([]), "[{b}]");
        expect_error(
            b,
            s.new_client().get(s.url("/api/v1/catalog/questions/mine")),
            401,
            "unauthenticated",
        )
        .await;

        // 我的咨询 page, and the notification links to it.
        let (c, _) = sign_in(&s, b, "zhangwei").await;
        let html = c
            .get(s.url("/hall/my-questions"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            html.contains("张伟您好:需要办理"),
            "[{b}] private answer on the page"
        );
        assert!(
            html.contains("110101199003074514"),
            "[{b}] the asker's own text"
        );
        let (o, _) = sign_in(&s, b, "expert").await;
        let html = o
            .get(s.url("/hall/my-questions"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!html.contains("张伟您好"), "[{b}] another user");
        let r = s
            .new_client()
            .get(s.url("/hall/my-questions"))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_redirection(), "[{b}] anonymous");

        // The answer notification, delivered by the job runner, links to 我的咨询.
        let runner = yiwang_app::jobs::Runner::new(
            s.app.clone(),
            yiwang_app::jobs::RunnerConfig {
                node_id: "test".into(),
                poll: std::time::Duration::from_millis(50),
                checkpoint_every: std::time::Duration::from_secs(600),
            },
        );
        let mut found = false;
        for _ in 0..5 {
            runner.pass().await.expect("job pass");
            let inbox = c
                .get(s.url("/inbox"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            if inbox.contains("咨询已答复") {
                assert!(
                    inbox.contains("href=\"/hall/my-questions\""),
                    "[{b}] link in {inbox}"
                );
                found = true;
                break;
            }
        }
        assert!(found, "[{b}] no notification");

        s.stop().await;
        db.cleanup().await;
    }
}

backend_test!(the_staff_form_shows_findings_and_refuses_until_clean);
async fn the_staff_form_shows_findings_and_refuses_until_clean(db: TestDb) {
    let b = db.backend;
    let s = TestServer::start(&db).await;
    demo(&s).await;
    yiwang_app::demo::build_catalog(&s.app)
        .await
        .expect("demo catalogue");
    let citizen = demo_token(&s, "zhangwei").await;
    let (_, page) = send_json(
        b,
        s.new_client()
            .get(s.url("/api/v1/catalog/search?q=%E5%BC%80%E9%A5%AD%E5%BA%97")),
    )
    .await;
    let id = page["hits"][0]["id"].as_str().unwrap().to_string();
    let (_, q) = send_json(
        b,
        s.new_client()
            .post(s.url(&format!("/api/v1/catalog/items/{id}/questions")))
            .bearer_auth(&citizen)
            .json(&json!({ "question": ASKED })),
    )
    .await;
    let qid = q["id"].as_str().unwrap().to_string();

    let (staff, _) = sign_in(&s, b, "approver").await;
    let html = staff
        .get(s.url("/catalog/questions"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // The public wording is prefilled with the original, with the findings beside it.
    assert!(html.contains("name=\"public_question\""), "[{b}]");
    assert!(html.contains("data-testid=\"findings\""), "[{b}] {html}");
    assert!(html.contains("身份证号码"), "[{b}]");
    let csrf = hidden_csrf(&html).expect("csrf");
    let post = |public_question: &str| {
        staff
            .post(s.url(&format!("/catalog/questions/{qid}/answer")))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("answer", "需要办理。"),
                ("publish_faq", "1"),
                ("public_question", public_question),
                ("public_answer", ""),
            ])
            .send()
    };
    let r = post(ASKED).await.unwrap();
    assert_eq!(r.status(), 422, "[{b}] unredacted");
    let html = r.text().await.unwrap();
    assert!(html.contains("个人信息"), "[{b}]");
    let r = post("开小吃店需要办理许可吗?").await.unwrap();
    assert_eq!(r.status(), 303, "[{b}] redacted");

    s.stop().await;
    db.cleanup().await;
}
