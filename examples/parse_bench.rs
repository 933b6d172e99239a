fn main() {
    let text = std::fs::read_to_string("scenarios/data/alibaba-gpu-2023/pods-600.yaml").unwrap();
    for round in 0..3 {
        for threads in [1, 2] {
            let t = std::time::Instant::now();
            let mut ignored = podsim::api::object::Ignored::default();
            let ms = podsim::api::object::parse_file_with("x", &text, &mut ignored, threads).unwrap();
            println!("round {round} threads {threads}: {:?} ({})", t.elapsed(), ms.len());
        }
    }
    let dir = std::path::Path::new("scenarios");
    let stext = std::fs::read_to_string(dir.join("alibaba-600.yaml")).unwrap();
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).map_err(|e| e.to_string());
    for threads in [1, 2] {
        let t = std::time::Instant::now();
        let s = podsim::scenario::load_with("a", &stext, &read, threads).unwrap();
        println!("load threads {threads}: {:?} ({})", t.elapsed(), s.submissions.len());
    }
}
