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
