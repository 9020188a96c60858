//! The gazetteer (地名志) of a county with 50,000 records: the demo data plus 50,000 synthetic
//! records spread over the townships of 嘉善县 (names drawn from 通用规范汉字表 with a fixed seed,
//! so every run makes the same book). Times reading the register and assembling the book
//! (chapters, both indexes, chronicle), drawing it as HTML and typesetting it as PDF; the target
//! is under 30 s for the whole book. Prints `RESULT` lines with the seconds and the book's size.
//!
//!     cargo bench --bench gazetteer

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use diming::app::naming::gazetteer;
use diming::app::{AppSettings, AppState};
use diming::domain::division_code::DivisionCode;
use diming::domain::place::{PlaceProperties, ValidPlace};
use diming::domain::version::ChangeAction;
use diming::render::gazetteer::gazetteer_html;
use diming::render::gazetteer_pdf::gazetteer_document;
use diming::render::pdf::{font::FontSet, render};
use diming::store::accounts::LockoutPolicy;
use diming::store::audit::Author;
use diming::store::places::Change;
use diming::store::{Durability, Store};

const RECORDS: usize = 50_000;
const STANDARD: &str = include_str!("../data/naming/general-standard-chars-1-2.txt");

fn settings() -> AppSettings {
    AppSettings {
        session_ttl: chrono::Duration::minutes(480),
        cookie_secure: true,
        max_body_bytes: 1 << 20,
        lockout: LockoutPolicy::default(),
        public_base_url: "http://127.0.0.1".into(),
        maintenance_interval_days: 365,
        max_photo_bytes: 5 << 20,
        max_report_photo_bytes: 1 << 20,
        max_photo_pixels: 40_000_000,
        reports_per_address_per_hour: 5,
        reports_per_sign_per_hour: 20,
        trusted_proxies: Vec::new(),
        max_marker_offset_m: 1000.0,
        naming: Default::default(),
        pdf: Default::default(),
    }
}

/// The register: demo data and `RECORDS` synthetic records in 嘉善县's townships.
async fn register(dir: &Path) -> AppState {
    let url = format!("sqlite://{}", dir.join("book.sqlite").display());
    let store = Store::open(&url, Durability::Normal).await.unwrap();
    store.migrate().await.unwrap();
    let catalog = Arc::new(store.category_catalog().await.unwrap());
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    diming::demo::load_if_empty(&store, &catalog, &data)
        .await
        .unwrap();
    let townships: Vec<String> = diming::demo::read_divisions(&data.join("divisions.csv"))
        .unwrap()
        .into_iter()
        .map(|d| d.code.as_str().to_string())
        .filter(|c| c.starts_with("330421") && c.len() == 9)
        .collect();
    let characters: Vec<char> = STANDARD
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.chars().next())
        .collect();
    let kinds = [
        ("村", "242"),
        ("路", "2532"),
        ("桥", "2541"),
        ("湾", "2424"),
        ("浜", "242"),
    ];
    let mut seed: u64 = 0x5eed_2026;
    let mut next = move |n: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize % n
    };
    let today = diming::app::today();
    let mut places = Vec::with_capacity(RECORDS);
    while places.len() < RECORDS {
        let (generic, category) = kinds[next(kinds.len())];
        let name: String = [characters[next(3500)], characters[next(characters.len())]]
            .into_iter()
            .chain(generic.chars())
            .collect();
        let properties: PlaceProperties = serde_json::from_value(serde_json::json!({
            "standard_name": name,
            "category": category,
            "division_codes": [townships[next(townships.len())]],
            "meaning": format!("因{name}旁古塘得名。"),
            "history": "清光绪年间已见于县志，1950 年后沿用。",
        }))
        .unwrap();
        if let Ok(place) = ValidPlace::parse(properties, None, &catalog, today) {
            places.push(place.romanized_by_rules(&catalog));
        }
    }
    let author = Author::system("bench");
    let change = Change {
        action: ChangeAction::Created,
        effective_on: today,
        comment: Some("benchmark corpus"),
        author: &author,
        correction: None,
    };
    store.import_places(&places, &change).await.unwrap();
    let state = AppState::new(store, catalog, settings());
    state.build_indexes().await.unwrap();
    state
}

fn book(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let state = runtime.block_on(register(dir.path()));
    println!("RESULT register_s {:.1}", started.elapsed().as_secs_f64());
    let county = DivisionCode::parse("330421").unwrap();
    let day = diming::app::today();

    let started = Instant::now();
    let assembled = runtime
        .block_on(gazetteer::assemble(&state, &county, day))
        .unwrap();
    let assemble_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let html = gazetteer_html(&assembled);
    let html_s = started.elapsed().as_secs_f64();
    println!("RESULT entries {}", assembled.entry_count());
    println!("RESULT assemble_s {assemble_s:.2}");
    println!("RESULT html_s {html_s:.2}");
    println!("RESULT html_mb {:.1}", html.len() as f64 / 1e6);
    let fonts = FontSet::load(
        (
            Path::new("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
            2,
        ),
        None,
    )
    .expect("fonts-noto-cjk is installed");
    let started = Instant::now();
    let pdf = render(&gazetteer_document(&assembled), &fonts).unwrap();
    let pdf_s = started.elapsed().as_secs_f64();
    println!("RESULT pdf_s {pdf_s:.2}");
    println!("RESULT pdf_pages {}", pdf.pages);
    println!("RESULT pdf_mb {:.1}", pdf.bytes.len() as f64 / 1e6);
    println!(
        "RESULT whole_book_s {:.2} (assembly and PDF; target < 30 s)",
        assemble_s + pdf_s
    );

    let mut group = c.benchmark_group("gazetteer");
    group.sample_size(10);
    group.bench_function("assemble 50k", |b| {
        b.iter(|| {
            runtime
                .block_on(gazetteer::assemble(&state, &county, day))
                .unwrap()
        })
    });
    group.bench_function("html 50k", |b| b.iter(|| gazetteer_html(&assembled)));
    group.finish();
}

criterion_group!(benches, book);
criterion_main!(benches);
