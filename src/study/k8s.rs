//! A study as a Kubernetes workload (`podsim sweep --emit-k8s-job`): the scenario's
//! files in a ConfigMap, a ReadWriteMany PersistentVolumeClaim for the results, an
//! Indexed Job whose pods each run one shard (`--shard $(JOB_COMPLETION_INDEX)/N`,
//! the index the Job controller gives each pod), and a merge Job that waits for every
//! shard to finish and joins them (`podsim merge --wait`).
//!
//! The text is YAML written here (keys in Kubernetes' usual order, file contents as
//! literal blocks), so that a person can read and edit it before `kubectl apply`.

use std::fmt::Write;

/// Where the pods find the study's input and put its results.
pub const INPUT_DIR: &str = "/study";
pub const RESULTS_DIR: &str = "/results";

/// A ConfigMap holds at most 1 MiB (etcd's limit on an object); the manifest around
/// the files needs a little of it.
pub const CONFIGMAP_LIMIT: usize = 1_000_000;

pub struct JobSpec<'a> {
    /// The study's name (the scenario's), made into object names.
    pub study: &'a str,
    /// A few hex digits of the plan's digest: two studies of one scenario do not share
    /// objects.
    pub tag: &'a str,
    pub image: &'a str,
    pub shards: u64,
    /// `podsim sweep`'s arguments for every shard: the scenario under [`INPUT_DIR`],
    /// the seeds, the parameters, what to keep.
    pub sweep_args: Vec<String>,
    /// The scenario file and the files it names: path under [`INPUT_DIR`], content.
    pub files: Vec<(String, String)>,
    /// The results volume's size (`1Gi`).
    pub storage: &'a str,
}

/// A YAML node: mappings keep their keys' order.
enum Node {
    Str(String),
    Int(i64),
    Bool(bool),
    Map(Vec<(&'static str, Node)>),
    /// A mapping whose keys are data (a ConfigMap's file names).
    Data(Vec<(String, Node)>),
    Seq(Vec<Node>),
}

fn s(text: impl Into<String>) -> Node {
    Node::Str(text.into())
}

fn map(entries: Vec<(&'static str, Node)>) -> Node {
    Node::Map(entries)
}

/// The image runs as user 10001 (its Dockerfile); the volume's files are given to that
/// group so it can write the results.
fn security() -> Node {
    map(vec![("runAsUser", Node::Int(10001)), ("fsGroup", Node::Int(10001))])
}

fn strings(items: &[String]) -> Node {
    Node::Seq(items.iter().map(|i| s(i.clone())).collect())
}

/// Object names: a DNS-1123 label made from the study's name.
pub fn object_name(study: &str, tag: &str) -> String {
    let mut base: String =
        study.to_ascii_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    base = base.trim_matches('-').to_string();
    // The Job controller names pods <job>-<index>-<5 characters>, and a pod's hostname
    // <job>-<index> must stay a label of 63 characters.
    base.truncate(30);
    let base = base.trim_end_matches('-');
    if base.is_empty() { format!("podsim-{tag}") } else { format!("podsim-{base}-{tag}") }
}

/// A ConfigMap key for a file path (keys are `[-._a-zA-Z0-9]+`).
fn config_key(path: &str, taken: &[String]) -> String {
    let key: String =
        path.chars().map(|c| if c.is_ascii_alphanumeric() || "-._".contains(c) { c } else { '_' }).collect();
    if taken.contains(&key) { format!("{}-{key}", taken.len()) } else { key }
}

/// The manifests: ConfigMap, PersistentVolumeClaim, the shards' Indexed Job and the
/// merge Job, as one multi-document YAML file.
pub fn manifests(spec: &JobSpec) -> Result<String, String> {
    let size: usize = spec.files.iter().map(|(_, c)| c.len()).sum();
    if size > CONFIGMAP_LIMIT {
        return Err(format!(
            "the scenario and its files are {size} bytes, more than a ConfigMap holds (1 MiB); \
             put them in the image instead (a Dockerfile `COPY` into {INPUT_DIR}) and remove the ConfigMap"
        ));
    }
    let name = object_name(spec.study, spec.tag);
    let labels = || map(vec![("app.kubernetes.io/name", s("podsim")), ("podsim/study", s(name.clone()))]);
    let meta = |suffix: &str| map(vec![("name", s(format!("{name}{suffix}"))), ("labels", labels())]);

    let mut keys: Vec<String> = Vec::new();
    let mut data = Vec::new();
    let mut items = Vec::new();
    for (path, content) in &spec.files {
        let key = config_key(path, &keys);
        keys.push(key.clone());
        data.push((key.clone(), s(content.clone())));
        items.push(map(vec![("key", s(key)), ("path", s(path.clone()))]));
    }
    let config_map = map(vec![
        ("apiVersion", s("v1")),
        ("kind", s("ConfigMap")),
        ("metadata", meta("-input")),
        ("data", Node::Data(data)),
    ]);
    let claim = map(vec![
        ("apiVersion", s("v1")),
        ("kind", s("PersistentVolumeClaim")),
        ("metadata", meta("-results")),
        (
            "spec",
            map(vec![
                ("accessModes", strings(&["ReadWriteMany".to_string()])),
                ("resources", map(vec![("requests", map(vec![("storage", s(spec.storage))]))])),
            ]),
        ),
    ]);
    let results_volume = || {
        map(vec![
            ("name", s("results")),
            ("persistentVolumeClaim", map(vec![("claimName", s(format!("{name}-results")))])),
        ])
    };
    let results_mount = || map(vec![("name", s("results")), ("mountPath", s(RESULTS_DIR))]);

    let shard = "$(JOB_COMPLETION_INDEX)";
    let mut args = vec!["sweep".to_string()];
    args.extend(spec.sweep_args.iter().cloned());
    args.extend([
        "--shard".to_string(),
        format!("{shard}/{}", spec.shards),
        "--out".to_string(),
        format!("{RESULTS_DIR}/shard-{shard}"),
        "--threads".to_string(),
        "1".to_string(),
        "-q".to_string(),
    ]);
    let index_env = map(vec![
        ("name", s("JOB_COMPLETION_INDEX")),
        (
            "valueFrom",
            map(vec![(
                "fieldRef",
                map(vec![("fieldPath", s("metadata.annotations['batch.kubernetes.io/job-completion-index']"))]),
            )]),
        ),
    ]);
    let shards_job = map(vec![
        ("apiVersion", s("batch/v1")),
        ("kind", s("Job")),
        ("metadata", meta("")),
        (
            "spec",
            map(vec![
                ("completionMode", s("Indexed")),
                ("completions", Node::Int(spec.shards as i64)),
                ("parallelism", Node::Int(spec.shards as i64)),
                // A shard that stops half-way resumes: its second pod runs only what is missing.
                ("backoffLimitPerIndex", Node::Int(1)),
                (
                    "template",
                    map(vec![
                        ("metadata", map(vec![("labels", labels())])),
                        (
                            "spec",
                            map(vec![
                                ("restartPolicy", s("Never")),
                                ("securityContext", security()),
                                (
                                    "containers",
                                    Node::Seq(vec![map(vec![
                                        ("name", s("podsim")),
                                        ("image", s(spec.image)),
                                        ("command", strings(&["podsim".to_string()])),
                                        ("args", strings(&args)),
                                        // Declared so that $(JOB_COMPLETION_INDEX) in the
                                        // arguments is expanded on any version.
                                        ("env", Node::Seq(vec![index_env])),
                                        (
                                            "resources",
                                            map(vec![("requests", map(vec![("cpu", s("1")), ("memory", s("1Gi"))]))]),
                                        ),
                                        (
                                            "volumeMounts",
                                            Node::Seq(vec![
                                                map(vec![
                                                    ("name", s("study")),
                                                    ("mountPath", s(INPUT_DIR)),
                                                    ("readOnly", Node::Bool(true)),
                                                ]),
                                                results_mount(),
                                            ]),
                                        ),
                                    ])]),
                                ),
                                (
                                    "volumes",
                                    Node::Seq(vec![
                                        map(vec![
                                            ("name", s("study")),
                                            (
                                                "configMap",
                                                map(vec![
                                                    ("name", s(format!("{name}-input"))),
                                                    ("items", Node::Seq(items)),
                                                ]),
                                            ),
                                        ]),
                                        results_volume(),
                                    ]),
                                ),
                            ]),
                        ),
                    ]),
                ),
            ]),
        ),
    ]);
    let mut merge_args = vec!["merge".to_string()];
    merge_args.extend((0..spec.shards).map(|i| format!("{RESULTS_DIR}/shard-{i}")));
    merge_args.extend(["--out".to_string(), format!("{RESULTS_DIR}/study"), "--wait".to_string(), "-q".to_string()]);
    let merge_job = map(vec![
        ("apiVersion", s("batch/v1")),
        ("kind", s("Job")),
        ("metadata", meta("-merge")),
        (
            "spec",
            map(vec![
                ("backoffLimit", Node::Int(2)),
                (
                    "template",
                    map(vec![
                        ("metadata", map(vec![("labels", labels())])),
                        (
                            "spec",
                            map(vec![
                                ("restartPolicy", s("Never")),
                                ("securityContext", security()),
                                (
                                    "containers",
                                    Node::Seq(vec![map(vec![
                                        ("name", s("merge")),
                                        ("image", s(spec.image)),
                                        ("command", strings(&["podsim".to_string()])),
                                        ("args", strings(&merge_args)),
                                        (
                                            "resources",
                                            map(vec![(
                                                "requests",
                                                map(vec![("cpu", s("100m")), ("memory", s("256Mi"))]),
                                            )]),
                                        ),
                                        ("volumeMounts", Node::Seq(vec![results_mount()])),
                                    ])]),
                                ),
                                ("volumes", Node::Seq(vec![results_volume()])),
                            ]),
                        ),
                    ]),
                ),
            ]),
        ),
    ]);
    let mut out = format!(
        "# A podsim study on Kubernetes, written by podsim sweep --emit-k8s-job.\n\
         # {shards} shards run as the pods of an Indexed Job, each its completion index as\n\
         # its shard; the merge Job waits for them and writes the study to\n\
         # {RESULTS_DIR}/study on the {name}-results volume. The image is built from the\n\
         # Dockerfile at the root of podsim's repository.\n",
        shards = spec.shards
    );
    for doc in [config_map, claim, shards_job, merge_job] {
        out.push_str("---\n");
        emit(&doc, 0, &mut out);
    }
    Ok(out)
}

fn emit(node: &Node, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match node {
        Node::Map(entries) => {
            for (k, v) in entries {
                entry(&pad, k, v, indent, out);
            }
        }
        Node::Data(entries) => {
            for (k, v) in entries {
                entry(&pad, &scalar(k), v, indent, out);
            }
        }
        Node::Seq(items) => {
            for item in items {
                match item {
                    Node::Map(_) | Node::Data(_) => {
                        let mut inner = String::new();
                        emit(item, indent + 2, &mut inner);
                        // The first key goes on the dash's line.
                        let _ = write!(out, "{pad}- {}", &inner[indent + 2..]);
                    }
                    _ => {
                        let _ = writeln!(out, "{pad}- {}", inline(item, indent + 2));
                    }
                }
            }
        }
        other => {
            let _ = writeln!(out, "{pad}{}", inline(other, indent));
        }
    }
}

fn entry(pad: &str, key: &str, v: &Node, indent: usize, out: &mut String) {
    match v {
        Node::Map(e) if !e.is_empty() => {
            let _ = writeln!(out, "{pad}{key}:");
            emit(v, indent + 2, out);
        }
        Node::Data(e) if !e.is_empty() => {
            let _ = writeln!(out, "{pad}{key}:");
            emit(v, indent + 2, out);
        }
        Node::Seq(items) if !items.is_empty() => {
            let _ = writeln!(out, "{pad}{key}:");
            emit(v, indent, out);
        }
        _ => {
            let _ = writeln!(out, "{pad}{key}: {}", inline(v, indent + 2));
        }
    }
}

/// A scalar (or an empty collection) on the line of its key or dash.
fn inline(node: &Node, indent: usize) -> String {
    match node {
        Node::Str(text) if text.contains('\n') => literal_block(text, indent),
        Node::Str(text) => scalar(text),
        Node::Int(i) => i.to_string(),
        Node::Bool(b) => b.to_string(),
        Node::Map(_) | Node::Data(_) => "{}".to_string(),
        Node::Seq(_) => "[]".to_string(),
    }
}

/// A string as a plain scalar when YAML reads it back as the same string, else quoted
/// (JSON's quoting is YAML's double-quoted style).
fn scalar(text: &str) -> String {
    let plain = !text.is_empty()
        && text.chars().all(|c| c.is_ascii_alphanumeric() || "-_./$()%".contains(c))
        && text.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '$')
        && !["true", "false", "yes", "no", "on", "off", "null", "y", "n"].contains(&text.to_ascii_lowercase().as_str());
    if plain { text.to_string() } else { serde_json::to_string(text).expect("a string always serializes") }
}

/// A file's content as a literal block (`|`), read back byte for byte; quoted when a
/// literal block cannot say it (a carriage return, a first line starting with a space,
/// trailing spaces on a line).
fn literal_block(text: &str, indent: usize) -> String {
    let first_indented = text.starts_with(' ') || text.starts_with('\t');
    let awkward = text.contains('\r') || text.lines().any(|l| l.ends_with(' ') || l.ends_with('\t'));
    if first_indented || awkward || text.starts_with('\n') {
        return serde_json::to_string(text).expect("a string always serializes");
    }
    let (body, chomp) = match text.strip_suffix('\n') {
        Some(b) if !b.ends_with('\n') => (b, ""),
        Some(_) => (text.trim_end_matches('\n'), "+"),
        None => (text, "-"),
    };
    let pad = " ".repeat(indent);
    let mut out = format!("|{chomp}");
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    if chomp == "+" {
        for _ in 0..text.len() - body.len() - 1 {
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn spec() -> JobSpec<'static> {
        JobSpec {
            study: "Job_Stream",
            tag: "a1b2c3",
            image: "podsim:0.1.0",
            shards: 3,
            sweep_args: vec!["/study/job-stream.yaml".into(), "--seeds".into(), "1..6".into()],
            files: vec![
                ("job-stream.yaml".into(), "name: job-stream\n\nnodes: []\n".into()),
                ("manifests/web.yaml".into(), "kind: Pod\n  x: \"y\"\n".into()),
                ("odd.yaml".into(), "no newline at the end".into()),
                ("kept.yaml".into(), "two newlines\n\n".into()),
            ],
            storage: "1Gi",
        }
    }

    #[test]
    fn the_manifests_read_back_as_written() {
        let text = manifests(&spec()).unwrap();
        let docs: Vec<Value> = serde_saphyr::from_multiple(&text).unwrap();
        assert_eq!(docs.len(), 4);
        let cm = &docs[0];
        assert_eq!(cm["metadata"]["name"], "podsim-job-stream-a1b2c3-input");
        assert_eq!(cm["data"]["job-stream.yaml"], "name: job-stream\n\nnodes: []\n");
        assert_eq!(cm["data"]["manifests_web.yaml"], "kind: Pod\n  x: \"y\"\n");
        assert_eq!(cm["data"]["odd.yaml"], "no newline at the end");
        assert_eq!(cm["data"]["kept.yaml"], "two newlines\n\n");
        let job = &docs[2]["spec"];
        assert_eq!((job["completionMode"].as_str(), job["completions"].as_i64()), (Some("Indexed"), Some(3)));
        let c = &job["template"]["spec"]["containers"][0];
        let args: Vec<&str> = c["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
        assert_eq!(
            args,
            [
                "sweep",
                "/study/job-stream.yaml",
                "--seeds",
                "1..6",
                "--shard",
                "$(JOB_COMPLETION_INDEX)/3",
                "--out",
                "/results/shard-$(JOB_COMPLETION_INDEX)",
                "--threads",
                "1",
                "-q"
            ]
        );
        let items = &job["template"]["spec"]["volumes"][0]["configMap"]["items"];
        assert_eq!(items[1]["path"], "manifests/web.yaml");
        let merge = &docs[3]["spec"]["template"]["spec"]["containers"][0]["args"];
        assert_eq!(merge[1], "/results/shard-0");
        assert_eq!(merge[3], "/results/shard-2");
    }

    #[test]
    fn names_are_dns_labels_and_big_inputs_are_refused() {
        assert_eq!(object_name("Job_Stream", "ab"), "podsim-job-stream-ab");
        assert_eq!(object_name("---", "ab"), "podsim-ab");
        assert!(object_name(&"x".repeat(100), "abcdef").len() <= 44);
        let mut big = spec();
        big.files.push(("data.csv".into(), "x".repeat(CONFIGMAP_LIMIT)));
        assert!(manifests(&big).unwrap_err().contains("more than a ConfigMap holds"));
        assert_eq!(scalar("true"), "\"true\"");
        assert_eq!(scalar("1..6"), "\"1..6\"");
        assert_eq!(scalar("nodes[worker].count=1,2"), "\"nodes[worker].count=1,2\"");
        assert_eq!(scalar("/results/shard-$(JOB_COMPLETION_INDEX)"), "/results/shard-$(JOB_COMPLETION_INDEX)");
    }
}
