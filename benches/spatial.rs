//! In-process speed of the spatial indexes and the name index on the China-wide corpus
//! (bench/make_corpus.py): building them, point → county chain, the 10 nearest among all township
//! and village names, and autocomplete. Prints build time and resident memory, autocomplete
//! latency percentiles, and `RESULT key value` lines for bench/spatial_peers.sh; criterion reports
//! the per-query times.
//!
//!     python3 bench/make_corpus.py && cargo bench --bench spatial

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use diming::domain::division_code::DivisionCode;
use diming::search::{NameIndex, NameKind, NameRecord, SearchQuery};
use diming::spatial::index::{IndexedPlace, SpatialIndex};
use geo::{Coord, Geometry, Point};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/.cache/corpus");

struct Corpus {
    index: SpatialIndex,
    /// Each county's chain of names, province first.
    chains: HashMap<String, Arc<[String]>>,
    /// Township and village names with their codes, for the name index.
    village_names: Vec<(String, String, (f64, f64))>,
    queries: Vec<Coord<f64>>,
}

fn resident_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn load() -> Option<Corpus> {
    let dir = Path::new(CORPUS);
    if !dir.join("counties.geojson").exists() {
        eprintln!("no corpus in {CORPUS}: run python3 bench/make_corpus.py first");
        return None;
    }
    let before_kib = resident_kib();
    let started = Instant::now();
    let counties: geojson::FeatureCollection = serde_json::from_reader(std::io::BufReader::new(
        std::fs::File::open(dir.join("counties.geojson")).ok()?,
    ))
    .ok()?;
    let mut names = HashMap::new();
    let mut records: Vec<(IndexedPlace, Geometry<f64>)> = Vec::new();
    let mut next_id = 0;
    for feature in counties.features {
        let code = feature.property("code")?.as_str()?.to_string();
        let name = feature.property("name")?.as_str()?.to_string();
        let geometry = Geometry::<f64>::try_from(&feature.geometry?.value).ok()?;
        names.insert(code.clone(), name.clone());
        next_id += 1;
        records.push((
            IndexedPlace {
                place_id: next_id,
                name,
                category: "213".into(),
                division_code: Some(code),
                public: true,
            },
            geometry,
        ));
    }
    let county_count = records.len();
    let mut village_names = Vec::new();
    let mut reader = csv::Reader::from_path(dir.join("names.csv")).ok()?;
    for row in reader.records() {
        let row = row.ok()?;
        let (lon, lat): (f64, f64) = (row[3].parse().ok()?, row[4].parse().ok()?);
        village_names.push((row[0].to_string(), row[1].to_string(), (lon, lat)));
        next_id += 1;
        let category = if &row[2] == "township" { "214" } else { "22" };
        records.push((
            IndexedPlace {
                place_id: next_id,
                name: row[1].to_string(),
                category: category.into(),
                division_code: Some(row[0].to_string()),
                public: true,
            },
            Point::new(lon, lat).into(),
        ));
    }
    let name_count = records.len() - county_count;
    let parsed = started.elapsed();
    let index = SpatialIndex::build(records);
    let built = started.elapsed();
    let mut queries = Vec::new();
    let mut reader = csv::Reader::from_path(dir.join("points.csv")).ok()?;
    for row in reader.records() {
        let row = row.ok()?;
        queries.push(Coord {
            x: row[0].parse().ok()?,
            y: row[1].parse().ok()?,
        });
    }
    let memory_mib = resident_kib().saturating_sub(before_kib) / 1024;
    println!(
        "corpus: {county_count} counties, {name_count} names; read {:.1} s, indexes built {:.1} s after start; resident memory +{memory_mib} MiB",
        parsed.as_secs_f64(),
        built.as_secs_f64(),
    );
    println!("RESULT spatial_build_s {:.2}", built.as_secs_f64());
    println!("RESULT spatial_memory_mib {memory_mib}");
    let chains = names
        .keys()
        .filter_map(|code| {
            let parsed = DivisionCode::parse(code).ok()?;
            let chain: Vec<String> = parsed
                .chain()
                .iter()
                .filter_map(|c| names.get(c.as_str()).cloned())
                .collect();
            Some((code.clone(), Arc::from(chain)))
        })
        .collect();
    Some(Corpus {
        index,
        chains,
        village_names,
        queries,
    })
}

/// The county containing the point, and the names of its chain (what /reverse answers): the
/// innermost area, then its chain of names, precomputed per county as the service's division
/// directory would hold it.
fn county_chain(corpus: &Corpus, point: Coord<f64>) -> Option<Arc<[String]>> {
    let county = corpus.index.innermost_area(point, |_| true)?;
    corpus.chains.get(county.division_code.as_deref()?).cloned()
}

/// Builds the name index over every township and village name and measures autocomplete
/// latency for typical inputs: the first one to three characters of a name, and the pinyin of
/// its first two characters typed whole.
fn autocomplete(corpus: &Corpus) {
    let before_kib = resident_kib();
    let started = Instant::now();
    let records = corpus
        .village_names
        .iter()
        .enumerate()
        .map(|(i, (code, name, position))| NameRecord {
            place_id: i as i64,
            name: name.as_str().into(),
            kind: NameKind::Standard,
            romanization: None,
            category: "22".into(),
            division_code: Some(code.as_str().into()),
            public: true,
            current: true,
            position: Some(*position),
        });
    let index = NameIndex::build(records);
    let build_s = started.elapsed().as_secs_f64();
    let memory_mib = resident_kib().saturating_sub(before_kib) / 1024;
    println!(
        "name index: {} names built in {build_s:.1} s, resident memory +{memory_mib} MiB",
        index.len()
    );
    println!("RESULT names_build_s {build_s:.2}");
    println!("RESULT names_memory_mib {memory_mib}");
    let engine = diming::domain::romanize::Romanizer::default();
    let step = corpus.village_names.len() / 2_000;
    let mut queries: Vec<String> = Vec::new();
    for (i, (_, name, _)) in corpus.village_names.iter().step_by(step.max(1)).enumerate() {
        let chars: Vec<char> = name.chars().collect();
        queries.push(chars[..(1 + i % 3).min(chars.len())].iter().collect());
        let tokens = engine.search_tokens(name, None);
        queries.push(
            tokens
                .iter()
                .take(2)
                .filter_map(|t| t.readings.first().cloned())
                .collect(),
        );
    }
    let mut timed: Vec<(f64, &String)> = queries
        .iter()
        .map(|q| {
            let started = Instant::now();
            let hits = index.search(&SearchQuery {
                text: q,
                limit: 10,
                near: Some((116.4, 39.9)),
                ..Default::default()
            });
            std::hint::black_box(hits);
            (started.elapsed().as_secs_f64() * 1e6, q)
        })
        .collect();
    timed.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("slowest queries (µs): {:?}", &timed[..5.min(timed.len())]);
    let mut latencies: Vec<f64> = timed.iter().map(|t| t.0).collect();
    latencies.sort_by(f64::total_cmp);
    let percentile = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p) as usize];
    println!(
        "autocomplete over {} names, {} queries: p50 {:.0} µs, p99 {:.0} µs, max {:.0} µs",
        index.len(),
        latencies.len(),
        percentile(0.5),
        percentile(0.99),
        latencies.last().copied().unwrap_or(0.0)
    );
    println!("RESULT autocomplete_p50_us {:.1}", percentile(0.5));
    println!("RESULT autocomplete_p99_us {:.1}", percentile(0.99));
    let path = Path::new(CORPUS).join("autocomplete-queries.txt");
    let _ = std::fs::write(path, queries.join("\n"));
}

fn spatial(c: &mut Criterion) {
    let Some(corpus) = load() else { return };
    autocomplete(&corpus);
    let found = corpus
        .queries
        .iter()
        .take(10_000)
        .filter(|q| county_chain(&corpus, **q).is_some())
        .count();
    println!("sanity: {found} of 10000 query points resolved to a county");
    // Plain means over every query point, for bench/spatial_peers.sh (criterion below gives
    // the careful per-query figures).
    let mean_us = |f: &dyn Fn(Coord<f64>)| {
        let started = Instant::now();
        for q in &corpus.queries {
            f(*q);
        }
        started.elapsed().as_secs_f64() * 1e6 / corpus.queries.len() as f64
    };
    let chain_us = mean_us(&|q| {
        std::hint::black_box(county_chain(&corpus, q));
    });
    let nearest_us = mean_us(&|q| {
        std::hint::black_box(corpus.index.nearest_points(q, 10, None, |_| true));
    });
    println!("RESULT chain_us {chain_us:.2}");
    println!("RESULT nearest_us {nearest_us:.2}");
    let mut i = 0;
    c.bench_function("point -> county chain (China, 3k polygons)", |b| {
        b.iter(|| {
            i = (i + 1) % corpus.queries.len();
            county_chain(&corpus, corpus.queries[i])
        })
    });
    let mut j = 0;
    c.bench_function("10 nearest names (China, ~660k)", |b| {
        b.iter(|| {
            j = (j + 1) % corpus.queries.len();
            corpus
                .index
                .nearest_points(corpus.queries[j], 10, None, |_| true)
        })
    });
}

criterion_group!(benches, spatial);
criterion_main!(benches);
