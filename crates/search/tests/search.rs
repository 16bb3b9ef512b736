//! Behaviour of the catalogue search: relevance, filters, facets, writes, persistence.

mod fixture;

use fixture::{bundle, fixture_docs, item};
use yiwang_search::{CatalogIndex, DocKind, Filters, SearchDoc, SearchResult};

fn index() -> CatalogIndex {
    let index = CatalogIndex::in_ram().expect("in-ram index");
    index.upsert(&fixture_docs()).expect("upsert fixture");
    index
}

fn search(index: &CatalogIndex, q: &str) -> SearchResult {
    index
        .search(q, &Filters::default(), 0, 10)
        .unwrap_or_else(|e| panic!("search {q:?}: {e}"))
}

fn first_id(index: &CatalogIndex, q: &str) -> String {
    let result = search(index, q);
    result
        .hits
        .first()
        .unwrap_or_else(|| panic!("no hit for {q:?}"))
        .id
        .clone()
}

fn ids(result: &SearchResult) -> Vec<&str> {
    result.hits.iter().map(|h| h.id.as_str()).collect()
}

fn name_of(id: &str) -> String {
    fixture_docs()
        .into_iter()
        .find(|d| d.id == id)
        .map(|d| d.name)
        .unwrap_or_default()
}

#[test]
fn kai_fandian_finds_food_business_licence_first() {
    let index = index();
    let first = first_id(&index, "开饭店");
    assert!(
        name_of(&first).starts_with("食品经营许可"),
        "first hit {first} {}",
        name_of(&first)
    );
}

#[test]
fn yingye_zhizhao_finds_business_registration_first() {
    let index = index();
    let first = first_id(&index, "营业执照");
    assert!(
        first == "I-003" || first == "I-004",
        "first hit {first} {}",
        name_of(&first)
    );
}

#[test]
fn sheng_haizi_finds_newborn_bundle_first() {
    let index = index();
    let result = search(&index, "生孩子");
    assert_eq!(result.hits[0].id, "LE002", "{:?}", ids(&result));
    assert_eq!(result.hits[0].kind, DocKind::Bundle);
    // The single item sharing the alias follows right after.
    assert_eq!(result.hits[1].id, "I-006", "{:?}", ids(&result));
}

#[test]
fn name_substring_queries() {
    let index = index();
    assert_eq!(first_id(&index, "施工许可"), "I-010");
    assert_eq!(first_id(&index, "身份证"), "I-008");
    assert_eq!(first_id(&index, "公积金提取"), "I-019");
    assert_eq!(first_id(&index, "医师执业注册"), "I-020");
    assert_eq!(first_id(&index, "道路运输许可"), "I-021");
    assert_eq!(first_id(&index, "开公司"), "LE001");
    // The whole query inside a name beats documents that merely share its words.
    assert_eq!(first_id(&index, "出生登记"), "I-007");
    let result = search(&index, "经营许可");
    let mut top3 = ids(&result)[..3].to_vec();
    top3.sort();
    assert_eq!(top3, vec!["I-001", "I-002", "I-021"]);
}

#[test]
fn width_and_case_are_normalised() {
    let index = index();
    assert_eq!(first_id(&index, "　施工许可 "), "I-010");
    let doc = item(
        "I-900",
        "ICP备案",
        "网站备案",
        "",
        "",
        ("D-X", "通信管理局"),
        "省级",
        "备案",
        "",
        "",
    );
    index.upsert(&[doc]).unwrap();
    assert_eq!(first_id(&index, "ｉｃｐ"), "I-900");
    assert_eq!(first_id(&index, "icp备案"), "I-900");
}

#[test]
fn filters_narrow_results_and_facets_count_the_match_set() {
    let index = index();
    let all = search(&index, "许可");
    // Every item with 许可 in its name, plus those mentioning 许可证 elsewhere.
    assert!(all.total >= 7, "total {}", all.total);
    let type_total: u64 = all.facets.item_type.iter().map(|(_, n)| n).sum();
    assert_eq!(type_total as usize, all.total);
    let level_total: u64 = all.facets.level.iter().map(|(_, n)| n).sum();
    assert_eq!(level_total as usize, all.total);

    let filters = Filters {
        level: Some("市级".into()),
        ..Filters::default()
    };
    let city = index.search("许可", &filters, 0, 10).unwrap();
    assert!(city.total > 0 && city.total < all.total);
    assert_eq!(
        city.facets.level,
        vec![("市级".to_string(), city.total as u64)]
    );
    let city_in_all = all
        .facets
        .level
        .iter()
        .find(|(l, _)| l == "市级")
        .map(|(_, n)| *n)
        .unwrap();
    assert_eq!(city.total as u64, city_in_all);

    // Flags: all must match.
    let filters = Filters {
        flags: vec!["fully_online".into(), "immediate".into()],
        ..Filters::default()
    };
    let browse = index.search("", &filters, 0, 50).unwrap();
    let mut got = ids(&browse);
    got.sort();
    assert_eq!(got, vec!["I-003", "I-004", "I-014", "I-015", "I-019"]);

    let filters = Filters {
        department_id: Some("D-GAJ".into()),
        ..Filters::default()
    };
    let gaj = index.search("身份证", &filters, 0, 50).unwrap();
    assert!(gaj.hits.iter().all(|h| h.id.starts_with("I-00")));
    assert_eq!(gaj.total, 3, "{:?}", ids(&gaj)); // 身份证申领, 换领, 出生登记 (materials)

    let filters = Filters {
        life_event: Some("LE002".into()),
        kind: Some(DocKind::Item),
        ..Filters::default()
    };
    let le = index.search("", &filters, 0, 50).unwrap();
    let mut got = ids(&le);
    got.sort();
    assert_eq!(got, vec!["I-006", "I-007", "I-017"]);

    let filters = Filters {
        item_type: Some("一件事".into()),
        ..Filters::default()
    };
    let bundles = index.search("", &filters, 0, 50).unwrap();
    assert_eq!(bundles.total, 3);
    assert!(bundles.hits.iter().all(|h| h.kind == DocKind::Bundle));
    assert_eq!(bundles.facets.item_type, vec![("一件事".to_string(), 3)]);
}

#[test]
fn browse_lists_everything_by_name_with_paging() {
    let index = index();
    let all = index.search("  ", &Filters::default(), 0, 100).unwrap();
    assert_eq!(all.total, fixture_docs().len());
    assert_eq!(all.hits.len(), fixture_docs().len());
    let names: Vec<String> = all.hits.iter().map(|h| name_of(&h.id)).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    let page = index.search("", &Filters::default(), 5, 5).unwrap();
    assert_eq!(ids(&page), ids(&all)[5..10].to_vec());
    assert_eq!(page.total, all.total);
    let counts_only = index.search("", &Filters::default(), 0, 0).unwrap();
    assert!(counts_only.hits.is_empty());
    assert_eq!(counts_only.total, all.total);
    assert_eq!(counts_only.facets, all.facets);
}

#[test]
fn query_syntax_is_plain_text() {
    let index = index();
    for q in [
        "\"AND :- (",
        "\"",
        ":",
        "AND",
        "-",
        "营业执照 AND NOT 开公司",
        "name:营业执照",
        "[1 TO 2]",
        "*?~^",
        "！！！",
    ] {
        index
            .search(q, &Filters::default(), 0, 10)
            .unwrap_or_else(|e| panic!("{q:?}: {e}"));
    }
    let r = search(&index, "营业执照 AND NOT 开公司");
    assert!(!r.hits.is_empty());
}

#[test]
fn too_long_query_and_deep_page_are_rejected() {
    let index = index();
    let ok: String = "办".repeat(100);
    assert!(index.search(&ok, &Filters::default(), 0, 10).is_ok());
    let long: String = "办".repeat(101);
    let err = index.search(&long, &Filters::default(), 0, 10).unwrap_err();
    assert_eq!(err.code(), "search.query_too_long");
    assert!(err.message_zh().contains("100"));
    assert!(err.message_en().contains("100"));
    let err = index
        .search("社保", &Filters::default(), 9_995, 10)
        .unwrap_err();
    assert_eq!(err.code(), "search.page_out_of_range");
}

#[test]
fn upsert_replaces_and_remove_deletes() {
    let index = index();
    let n = index.doc_count();
    assert_eq!(n as usize, fixture_docs().len());
    let mut doc: SearchDoc = fixture_docs()
        .into_iter()
        .find(|d| d.id == "I-008")
        .unwrap();
    doc.name = "居民身份证首次申领".into();
    doc.aliases = vec!["第一次办身份证".into()];
    index.upsert(&[doc.clone(), doc]).unwrap();
    assert_eq!(index.doc_count(), n);
    let r = search(&index, "第一次办身份证");
    assert_eq!(r.hits[0].id, "I-008");
    assert_eq!(r.hits.iter().filter(|h| h.id == "I-008").count(), 1);
    assert_eq!(search(&index, "居民身份证首次申领").hits[0].id, "I-008");

    index
        .remove(&["I-008".to_string(), "no-such-id".to_string()])
        .unwrap();
    assert_eq!(index.doc_count(), n - 1);
    assert!(!ids(&search(&index, "身份证")).contains(&"I-008"));
}

#[test]
fn replace_all_swaps_content_and_sets_revision() {
    let index = index();
    assert_eq!(index.revision(), 0);
    index
        .replace_all(vec![bundle("LE009", "退休一件事", "退休;办退休", "")], 42)
        .unwrap();
    assert_eq!(index.revision(), 42);
    assert_eq!(index.doc_count(), 1);
    assert_eq!(first_id(&index, "办退休"), "LE009");
    assert_eq!(search(&index, "营业执照").total, 0);
    // Later incremental writes keep the revision unless told otherwise.
    index.upsert(&fixture_docs()).unwrap();
    assert_eq!(index.revision(), 42);
    index.set_revision(43).unwrap();
    assert_eq!(index.revision(), 43);
}

#[test]
fn revision_and_docs_persist_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("search-index");
    {
        let index = CatalogIndex::open_dir(&path).unwrap();
        assert_eq!(index.revision(), 0);
        assert_eq!(index.doc_count(), 0);
        index.replace_all(fixture_docs(), 7).unwrap();
        index.set_revision(9).unwrap();
        index.upsert(&fixture_docs()[..2]).unwrap();
    }
    let index = CatalogIndex::open_dir(&path).unwrap();
    assert_eq!(index.revision(), 9);
    assert_eq!(index.doc_count() as usize, fixture_docs().len());
    assert_eq!(first_id(&index, "生孩子"), "LE002");
}

#[test]
fn second_writer_on_same_directory_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let first = CatalogIndex::open_dir(dir.path()).unwrap();
    let err = match CatalogIndex::open_dir(dir.path()) {
        Ok(_) => panic!("second open_dir must fail while the first holds the writer"),
        Err(e) => e,
    };
    assert_eq!(err.code(), "search.index_locked", "{err}");
    assert!(err.to_string().contains("locked"));
    drop(first);
    CatalogIndex::open_dir(dir.path()).expect("lock released on drop");
}

#[test]
fn index_is_send_and_sync_and_searchable_from_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<CatalogIndex>();
    let index = std::sync::Arc::new(index());
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let index = index.clone();
            std::thread::spawn(move || first_id(&index, "施工许可"))
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), "I-010");
    }
}

#[test]
fn exact_alias_beats_repeated_mentions() {
    let index = index();
    let noisy = item(
        "I-901",
        "小吃店食品安全抽检",
        "小吃店抽检;小吃店检查",
        "小吃店名单",
        "对小吃店、小吃店集中区域开展抽检。",
        ("D-SCJG", "市场监督管理局"),
        "县级",
        "行政检查",
        "",
        "",
    );
    index.upsert(&[noisy]).unwrap();
    let result = search(&index, "小吃店");
    assert_eq!(result.hits[0].id, "I-001", "{:?}", ids(&result));
    assert_eq!(result.hits[1].id, "I-901", "{:?}", ids(&result));
}
