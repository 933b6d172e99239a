//! The output folder as the user's environment sees it: a folder that cannot be written
//! is the user's to fix (exit 2, a clear message); a new run into a folder leaves only
//! its own files; an interrupted run leaves no temporary files; heavy settings are
//! warned about, and a run whose stderr is no terminal says how far it got.

use crate::robustness::podsim;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn scenario(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{name}.yaml")).display().to_string()
}

/// The hidden temporary files in `dir`.
fn temporaries(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n.ends_with(".tmp"))
        .collect()
}

#[test]
fn an_output_folder_that_cannot_be_written_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("taken"), "a file, not a folder").unwrap();
    let quickstart = scenario("quickstart");
    // A file where the folder should be, and a folder under a file: refused even for root.
    for (out, says) in
        [("taken", "taken: exists and is not a folder"), ("taken/run", "taken/run: cannot write the output")]
    {
        let (code, _, stderr) = podsim(dir.path(), &["run", &quickstart, "--out", out, "-q"]);
        assert_eq!(code, 2, "--out {out}: {stderr}");
        assert!(stderr.contains(says), "--out {out}: {stderr}");
        assert!(!stderr.contains("panicked") && !stderr.contains("internal error"), "{stderr}");
    }
    assert_eq!(std::fs::read_to_string(dir.path().join("taken")).unwrap(), "a file, not a folder");
    // A read-only folder: only meaningful when not root (root may write anywhere).
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    let mut perms = std::fs::metadata(&locked).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o555);
    std::fs::set_permissions(&locked, perms).unwrap();
    if std::fs::write(locked.join("probe"), "").is_err() {
        let (code, _, stderr) = podsim(dir.path(), &["run", &quickstart, "--out", "locked/run", "-q"]);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains("locked/run: cannot write the output"), "{stderr}");
    }
}

/// A disk that fills up: the file size limit (`ulimit -f`, which binds root too) makes
/// writes fail as a full disk does. SIGXFSZ is ignored so that the write fails rather
/// than the process being killed.
#[test]
fn a_full_disk_exits_2_and_leaves_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let script = format!(
        "trap '' XFSZ; ulimit -f 8; exec '{}' run '{}' --out run -q",
        env!("CARGO_BIN_EXE_podsim"),
        scenario("quickstart")
    );
    let out = Command::new("sh").arg("-c").arg(&script).current_dir(dir.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("run: cannot write the output: File too large"), "{stderr}");
    assert!(
        !dir.path().join("run").exists(),
        "the folder this run created is left: {:?}",
        temporaries(&dir.path().join("run"))
    );
}

#[test]
fn a_new_run_into_a_folder_removes_what_an_earlier_run_wrote_and_it_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("R");
    let (code, _, stderr) = podsim(dir.path(), &["run", &scenario("quickstart"), "--plot", "--out", "R", "-q"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(out.join("plots/timeline.png").exists());
    // What a user keeps there stays; so do files that merely look like ours.
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    std::fs::write(out.join("plots/annotated.png"), "mine").unwrap();
    std::fs::write(out.join(".notes.tmp"), "mine").unwrap();
    // The temporaries of a run that was killed outright.
    std::fs::write(out.join(".transitions.csv.tmp"), "half a trace").unwrap();
    let (code, _, stderr) = podsim(dir.path(), &["run", &scenario("web-server"), "--out", "R", "--no-objects", "-q"]);
    assert_eq!(code, 0, "{stderr}");
    let summary = std::fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(summary.contains("\"scenario\": \"web-server\""), "{summary}");
    for gone in ["plots/timeline.png", "plots/phases.svg", "objects.jsonl", "containers.csv", ".transitions.csv.tmp"] {
        assert!(!out.join(gone).exists(), "{gone} of the earlier run is still there");
    }
    for kept in ["notes.txt", "plots/annotated.png", ".notes.tmp"] {
        assert!(out.join(kept).exists(), "{kept} was removed");
    }
    // With nothing of the user's in it, plots/ goes too.
    std::fs::remove_file(out.join("plots/annotated.png")).unwrap();
    let (code, _, _) = podsim(dir.path(), &["run", &scenario("quickstart"), "--plot", "--out", "R", "-q"]);
    assert_eq!(code, 0);
    let (code, _, _) = podsim(dir.path(), &["run", &scenario("quickstart"), "--out", "R", "-q"]);
    assert_eq!(code, 0);
    assert!(!out.join("plots").exists());
}

/// A run that would go on for hours: one node, metrics every millisecond for 30 days.
const HEAVY: &str = "name: heavy\nduration: 30d\nmetricsEvery: 1ms\nnodes:\n  - name: w\n    capacity: {cpu: \"4\", memory: 16Gi, pods: 110}\n";

#[test]
fn an_interrupted_run_removes_its_temporary_files() {
    for signal in ["INT", "TERM"] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("heavy.yaml"), HEAVY).unwrap();
        std::fs::create_dir(dir.path().join("R")).unwrap();
        std::fs::write(dir.path().join("R/notes.txt"), "mine").unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_podsim"))
            .args(["run", "heavy.yaml", "--out", "R"])
            .current_dir(dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while temporaries(&dir.path().join("R")).len() < 5 {
            assert!(started.elapsed() < Duration::from_secs(60), "no temporary files appeared");
            std::thread::sleep(Duration::from_millis(20));
        }
        let kill = Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status().unwrap();
        assert!(kill.success());
        let status = child.wait().unwrap();
        let expected = if signal == "INT" { 130 } else { 143 };
        assert_eq!(status.code(), Some(expected), "SIG{signal}");
        assert_eq!(temporaries(&dir.path().join("R")), Vec::<String>::new(), "SIG{signal}");
        assert!(dir.path().join("R/notes.txt").exists());
    }
}

#[test]
fn heavy_settings_are_warned_about_and_progress_is_shown_in_a_log() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("heavy.yaml"), HEAVY).unwrap();
    let (code, stdout, stderr) = podsim(dir.path(), &["validate", "heavy.yaml"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("warning: this run may write about"), "{stdout}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_podsim"))
        .args(["run", "heavy.yaml", "--out", "R"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // stderr is a pipe here, not a terminal: progress comes as lines, every few seconds.
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
        text
    });
    std::thread::sleep(Duration::from_secs(12));
    child.kill().unwrap();
    child.wait().unwrap();
    let text = reader.join().unwrap();
    assert!(text.contains("warning: this run may write about"), "{text}");
    assert!(text.contains("metricsEvery: 1ms over 30d"), "{text}");
    let progress: Vec<&str> = text.lines().filter(|l| l.starts_with("progress: simulated ")).collect();
    assert!(!progress.is_empty(), "{text}");
    assert!(progress.len() <= 3, "more than one line every few seconds: {text}");
    assert!(
        progress[0].contains(" of 30d, ") && progress[0].contains(" events, ") && progress[0].ends_with(" written"),
        "{text}"
    );
}

#[test]
fn quiet_runs_still_say_where_the_output_went() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) = podsim(dir.path(), &["run", &scenario("quickstart"), "--out", "R", "-q"]);
    assert_eq!(code, 0);
    assert_eq!(stdout, "output: R\n");
}
