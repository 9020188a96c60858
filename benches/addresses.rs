//! House numbers at county scale, on synthetic data made the same every run: 100 roads in the
//! nine townships of 嘉善县 with 1,000 registered doors each (100,000 addresses, a tenth with a
//! building, unit and flat). Times reading and finding 100,000 written addresses (every fifth
//! with a typo in the division part, varied number and building forms, full-width digits) against
//! the peer of an exact lookup of the standard text in a hash map (what a lookup that reads
//! nothing costs); and numbering 10,000 doors on 100 roads (100 doors a road, both sides, by
//! sequence and by distance), each door proposed among those numbered before it.
//!
//!     cargo bench --profile dev --bench addresses

use std::collections::HashMap;

use criterion::{Criterion, criterion_group, criterion_main};
use diming::domain::address::{AddressLevel, AddressPath, HouseNumber};
use diming::domain::address_numbering::{
    DoorPoint, NumberingLine, NumberingRules, RoadNumbering, Scheme, number_road,
};
use diming::domain::address_parse::AddressGazetteer;
use diming::search::addresses::{AddressIndex, IndexedAddress};

const TOWNSHIPS: [(&str, &str); 9] = [
    ("330421001", "魏塘街道"),
    ("330421002", "罗星街道"),
    ("330421003", "惠民街道"),
    ("330421102", "大云镇"),
    ("330421103", "西塘镇"),
    ("330421105", "干窑镇"),
    ("330421107", "陶庄镇"),
    ("330421111", "姚庄镇"),
    ("330421112", "天凝镇"),
];
const ROADS: usize = 100;
const DOORS_PER_ROAD: u32 = 1000;
const SYLLABLES: &str = "亭桥晋阳车站星河东西南北中新华兴建设人民解放胜利和平友谊文化";

/// A small deterministic generator (xorshift), so every run makes the same data.
struct Seeded(u64);

impl Seeded {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn road_name(i: usize) -> String {
    let chars: Vec<char> = SYLLABLES.chars().collect();
    let a = chars[i % chars.len()];
    let b = chars[(i / chars.len() + 3 * i) % chars.len()];
    let generic = ["路", "街", "大道", "巷"][i % 4];
    format!("{a}{b}{generic}{}", if i >= 64 { "二" } else { "" })
}

fn chain(town: &str) -> Vec<String> {
    ["330000", "330400", "330421", town]
        .map(String::from)
        .to_vec()
}

/// The gazetteer, the index of 100,000 addresses and 100,000 written forms with their ids.
fn register() -> (AddressIndex, Vec<(String, i64)>, HashMap<String, i64>) {
    let mut names = AddressGazetteer::default();
    for (code, name) in [
        ("330000", "浙江省"),
        ("330400", "嘉兴市"),
        ("330421", "嘉善县"),
    ]
    .into_iter()
    .chain(TOWNSHIPS)
    {
        names.add_division(code, name);
    }
    let mut entries = Vec::new();
    let mut written = Vec::new();
    let mut exact = HashMap::new();
    let mut random = Seeded(0x5eed_1234_abcd);
    for road in 0..ROADS {
        let (town, town_name) = TOWNSHIPS[road % TOWNSHIPS.len()];
        let name = road_name(road);
        names.add_road(road as i64, &name, chain(town), false);
        for n in 1..=DOORS_PER_ROAD {
            let id = entries.len() as i64;
            let flat = n % 10 == 0;
            let path = AddressPath {
                number: Some(HouseNumber::plain(n)),
                building: flat.then(|| "3".to_string()),
                unit: flat.then(|| "2".to_string()),
                flat: flat.then(|| "401".to_string()),
            };
            let standard = format!(
                "嘉善县{town_name}{name}{}",
                path.written(Default::default())
            );
            entries.push(IndexedAddress {
                id,
                road_id: road as i64,
                level: if flat {
                    AddressLevel::Flat
                } else {
                    AddressLevel::Door
                },
                path,
                standard_address: standard.clone(),
                point: Some([120.9 + road as f64 * 0.001, 30.8 + f64::from(n) * 0.00001]),
                assigned: true,
            });
            exact.insert(standard.clone(), id);
            let form = match random.next() % 5 {
                0 => format!("浙江省嘉兴市{standard}"),
                1 => standard.replacen("嘉善县", "嘉喜县", 1),
                2 => standard
                    .chars()
                    .map(|c| match c {
                        '0'..='9' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
                        _ => c,
                    })
                    .collect(),
                3 => standard.replace("3幢", "3号楼").replacen("嘉善县", "", 1),
                _ => standard.clone(),
            };
            written.push((form, id));
        }
    }
    (AddressIndex::build(names, entries), written, exact)
}

fn geocoding(c: &mut Criterion) {
    let (index, written, exact) = register();
    let found = written
        .iter()
        .filter(|(text, id)| {
            index
                .geocode(text, true)
                .ok()
                .and_then(|g| g.found.map(|a| a.id))
                == Some(*id)
        })
        .count();
    println!(
        "RESULT geocoding: {found} of {} written addresses found exactly",
        written.len()
    );
    let mut group = c.benchmark_group("addresses");
    group.sample_size(10);
    group.bench_function("parse and geocode 100,000 written addresses", |b| {
        b.iter(|| {
            written
                .iter()
                .filter(|(text, _)| index.geocode(text, true).is_ok())
                .count()
        })
    });
    group.bench_function("peer: exact hash lookup of 100,000 standard texts", |b| {
        b.iter(|| {
            index_len_guard(&index);
            written
                .iter()
                .filter(|(text, _)| exact.contains_key(text))
                .count()
        })
    });
    group.finish();
}

/// Keeps the index alive and used in the peer's loop (the same memory is resident in both).
fn index_len_guard(index: &AddressIndex) {
    assert!(!index.is_empty());
}

fn numbering(c: &mut Criterion) {
    let mut random = Seeded(0xd00d_u64 ^ 0x1234);
    // 100 roads of about 1 km in all directions, 100 doors each on both sides, in no order.
    let roads: Vec<(NumberingLine, Vec<DoorPoint>)> = (0..ROADS)
        .map(|r| {
            let angle = (r as f64) * 0.37;
            let start = (
                120.9 + (r % 10) as f64 * 0.01,
                30.8 + (r / 10) as f64 * 0.01,
            );
            let end = (start.0 + 0.01 * angle.cos(), start.1 + 0.009 * angle.sin());
            let line = NumberingLine::new(&[start, end], &RoadNumbering::default()).unwrap();
            let doors = (0..100)
                .map(|_| {
                    let t = (random.next() % 10_000) as f64 / 10_000.0;
                    let side = if random.next().is_multiple_of(2) {
                        1.0
                    } else {
                        -1.0
                    };
                    DoorPoint {
                        lon: start.0 + t * (end.0 - start.0) - side * 0.0001 * angle.sin(),
                        lat: start.1 + t * (end.1 - start.1) + side * 0.0001 * angle.cos(),
                    }
                })
                .collect();
            (line, doors)
        })
        .collect();
    let sequence = NumberingRules::default();
    let reserved = NumberingRules {
        reserve_every_m: Some(10.0),
        ..Default::default()
    };
    let distance = NumberingRules {
        scheme: Scheme::Distance {
            metres_per_pair: 10.0,
        },
        ..Default::default()
    };
    let numbered: usize = roads
        .iter()
        .map(|(line, doors)| {
            number_road(line, &sequence, doors)
                .iter()
                .filter(|p| p.is_ok())
                .count()
        })
        .sum();
    println!("RESULT numbering: {numbered} of 10000 doors numbered by sequence");
    let mut group = c.benchmark_group("numbering");
    group.sample_size(10);
    for (label, rules) in [
        ("10,000 doors on 100 roads, sequence", &sequence),
        (
            "10,000 doors on 100 roads, sequence with a number kept per 10 m",
            &reserved,
        ),
        (
            "10,000 doors on 100 roads, distance (10 m a pair)",
            &distance,
        ),
    ] {
        group.bench_function(label, |b| {
            b.iter(|| {
                roads
                    .iter()
                    .map(|(line, doors)| number_road(line, rules, doors).len())
                    .sum::<usize>()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, geocoding, numbering);
criterion_main!(benches);
