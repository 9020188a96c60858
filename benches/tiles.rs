//! Vector tiles of the China-wide corpus (bench/make_corpus.py: every county polygon and every
//! township and village name as a point): the densest zoom-10 tile of the places collection,
//! drawn uncached (the cache emptied before each call: index query, projection, clipping,
//! simplification, encoding) and served from the cache, both through `app::tiles::tile` as a
//! public request makes it. Prints the tile's address, features and bytes, and `RESULT` lines
//! for bench/tiles_postgis.sh, which times PostGIS's ST_AsMVT on the same tile.
//!
//!     python3 bench/make_corpus.py && cargo bench --bench tiles

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use diming::app::{AppSettings, AppState, Identity};
use diming::domain::tile::{TileAddress, tile_at};
use diming::spatial::index::{IndexedPlace, SpatialIndex};
use diming::store::accounts::LockoutPolicy;
use diming::store::{Durability, Store};
use geo::{Geometry, Point};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/.cache/corpus");

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

/// The corpus's records as the spatial index keeps them: counties (213) then names (214
/// townships, 22 villages), numbered in that order.
fn records(dir: &Path) -> Option<Vec<(IndexedPlace, Geometry<f64>)>> {
    let counties: geojson::FeatureCollection = serde_json::from_reader(std::io::BufReader::new(
        std::fs::File::open(dir.join("counties.geojson")).ok()?,
    ))
    .ok()?;
    let mut records = Vec::new();
    let mut next_id = 0;
    let mut place = |name: String, category: &str, code: String| {
        next_id += 1;
        IndexedPlace {
            place_id: next_id,
            name,
            category: category.into(),
            division_code: Some(code),
            public: true,
        }
    };
    for feature in counties.features {
        let code = feature.property("code")?.as_str()?.to_string();
        let name = feature.property("name")?.as_str()?.to_string();
        let geometry = Geometry::<f64>::try_from(&feature.geometry?.value).ok()?;
        records.push((place(name, "213", code), geometry));
    }
    let mut reader = csv::Reader::from_path(dir.join("names.csv")).ok()?;
    for row in reader.records() {
        let row = row.ok()?;
        let (lon, lat): (f64, f64) = (row[3].parse().ok()?, row[4].parse().ok()?);
        let category = if &row[2] == "township" { "214" } else { "22" };
        records.push((
            place(row[1].to_string(), category, row[0].to_string()),
            Point::new(lon, lat).into(),
        ));
    }
    Some(records)
}

/// The zoom-10 tile holding the most point records.
fn densest(records: &[(IndexedPlace, Geometry<f64>)]) -> (TileAddress, usize) {
    let mut counts: HashMap<TileAddress, usize> = HashMap::new();
    for (_, geometry) in records {
        if let Geometry::Point(p) = geometry {
            *counts.entry(tile_at(10, p.x(), p.y())).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|(tile, n)| (*n, std::cmp::Reverse((tile.x, tile.y))))
        .unwrap_or((tile_at(10, 121.0, 31.0), 0))
}

fn tiles(c: &mut Criterion) {
    let dir = Path::new(CORPUS);
    let Some(records) = records(dir) else {
        eprintln!("no corpus in {CORPUS}: run python3 bench/make_corpus.py first");
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let state = runtime.block_on(async {
        let url = format!("sqlite://{}", scratch.path().join("tiles.sqlite").display());
        let store = Store::open(&url, Durability::Normal).await.unwrap();
        store.migrate().await.unwrap();
        let catalog = Arc::new(store.category_catalog().await.unwrap());
        AppState::new(store, catalog, settings())
    });
    let (tile, points) = densest(&records);
    let started = Instant::now();
    let count = records.len();
    *state.spatial.write().unwrap() = SpatialIndex::build(records);
    println!(
        "corpus: {count} records indexed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let public = Identity {
        actor: None,
        token: None,
        remote_addr: None,
    };
    let (z, x, y) = (tile.z.to_string(), tile.x.to_string(), tile.y.to_string());
    let draw = || {
        runtime
            .block_on(diming::app::tiles::tile(
                &state, &public, "places", &z, &x, &y,
            ))
            .unwrap()
    };
    let first = draw();
    println!(
        "densest zoom-10 tile {}/{}/{}: {points} points in the tile, {} features in it with its buffer, {} bytes",
        tile.z,
        tile.x,
        tile.y,
        first.features,
        first.bytes.len()
    );
    println!("RESULT tile {}/{}/{}", tile.z, tile.x, tile.y);
    println!("RESULT tile_features {}", first.features);
    println!("RESULT tile_bytes {}", first.bytes.len());
    // A plain mean for bench/tiles_postgis.sh beside criterion's figures.
    let rounds = 20;
    let started = Instant::now();
    for _ in 0..rounds {
        state.tiles.clear();
        std::hint::black_box(draw());
    }
    println!(
        "RESULT tile_uncached_ms {:.2}",
        started.elapsed().as_secs_f64() * 1e3 / f64::from(rounds)
    );

    let mut group = c.benchmark_group("tiles");
    group.sample_size(20);
    group.bench_function("densest zoom-10 tile, uncached", |b| {
        b.iter(|| {
            state.tiles.clear();
            draw()
        })
    });
    group.bench_function("densest zoom-10 tile, cached", |b| b.iter(draw));
    group.finish();
}

criterion_group!(benches, tiles);
criterion_main!(benches);
