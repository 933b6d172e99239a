//! `podsim sweep --emit-k8s-job`: the study as Kubernetes objects (see
//! `podsim::study::k8s`), written to `study.yaml` in the output folder.

use super::Failure;
use super::study_dir;
use super::sweep::{Study, SweepArgs};
use podsim::study::k8s::{self, INPUT_DIR, JobSpec};
use podsim::study::plan::Keep;
use podsim::study::seeds;

pub const MANIFEST: &str = "study.yaml";

pub fn emit(args: &SweepArgs, study: &Study) -> Result<(), Failure> {
    let input = |e: String| Failure::Input(vec![e]);
    if args.shard.is_some() {
        return Err(input("--shard and --emit-k8s-job: the Job gives each pod its shard".into()));
    }
    let plan = &study.plan;
    let runs = plan.runs() as u64;
    let shards = args.shards.unwrap_or(runs.min(10));
    if shards == 0 || shards > runs {
        return Err(input(format!("--shards {shards}: the study has {runs} runs; give 1 to {runs} shards")));
    }
    let mut files = vec![(plan.scenario_file.clone(), study.scenario_text.clone())];
    for (name, text) in &study.files_read {
        let clean = std::path::Path::new(name)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_) | std::path::Component::CurDir));
        if !clean {
            return Err(input(format!(
                "{}: names {name}, outside its folder: a ConfigMap holds the files of the scenario's folder only; \
                 copy the file beside the scenario",
                study.scenario_path.display()
            )));
        }
        files.push((name.trim_start_matches("./").to_string(), text.clone()));
    }
    let mut sweep_args =
        vec![format!("{INPUT_DIR}/{}", plan.scenario_file), "--seeds".into(), seeds::format(&plan.seeds)];
    for p in &plan.parameters {
        let values: Vec<&str> = p.values.iter().map(|v| v.text.as_str()).collect();
        sweep_args.extend(["--set".to_string(), format!("{}={}", p.path, values.join(","))]);
    }
    if let Some(d) = &plan.duration {
        sweep_args.extend(["--duration".to_string(), d.clone()]);
    }
    sweep_args.extend(["--keep".to_string(), plan.keep.as_str().to_string()]);
    if plan.check_invariants {
        sweep_args.push("--check-invariants".into());
    }
    let tag = {
        use sha2::{Digest, Sha256};
        let d = Sha256::digest(plan.to_json(None).as_bytes());
        d.iter().take(3).map(|b| format!("{b:02x}")).collect::<String>()
    };
    let image = args.image.clone().unwrap_or_else(|| format!("podsim:{}", env!("CARGO_PKG_VERSION")));
    let spec = JobSpec {
        study: &plan.scenario,
        tag: &tag,
        image: &image,
        shards,
        sweep_args,
        files,
        storage: if plan.keep == Keep::Summary { "1Gi" } else { "20Gi" },
    };
    let text = k8s::manifests(&spec).map_err(input)?;
    let dir = args.out.clone().unwrap_or_else(|| {
        study_dir::default_dir(&plan.scenario).parent().map(|p| p.join("k8s-job")).unwrap_or_default()
    });
    let mut out = super::output::OutputDir::create(&dir, &[MANIFEST.to_string()])?;
    if let Err(f) = out.write(MANIFEST, text.as_bytes()) {
        out.abandon();
        return Err(f);
    }
    out.commit()?;
    let path = dir.join(MANIFEST);
    if args.quiet {
        println!("output: {}", path.display());
        return Ok(());
    }
    let name = k8s::object_name(&plan.scenario, &tag);
    println!("{}: {runs} runs in {shards} shards, as an Indexed Job and a merge Job", path.display());
    println!("  docker build -t {image} .           # in podsim's repository (its Dockerfile)");
    println!("  kubectl apply -f {}", path.display());
    println!("  kubectl wait --for=condition=complete --timeout=24h job/{name}-merge");
    println!("The study is then in /results/study on the volume {name}-results (claim).");
    Ok(())
}
