fn main() {
    let text = std::fs::read_to_string("scenarios/data/alibaba-gpu-2023/pods-600.yaml").unwrap();
    let t = std::time::Instant::now();
    let n = granit_parser::Parser::new_from_str(&text).count();
    println!("granit events {:?} ({n})", t.elapsed());
    let t = std::time::Instant::now();
    let docs: Vec<serde_json::Value> =
        serde_saphyr::from_multiple_with_options(&text, podsim::api::object::yaml_options()).unwrap();
    println!("saphyr->Value {:?} ({} docs)", t.elapsed(), docs.len());
    let t = std::time::Instant::now();
    let mut ignored = podsim::api::object::Ignored::default();
    let ms = podsim::api::object::parse_file("x", &text, &mut ignored).unwrap();
    println!("parse_file {:?} ({})", t.elapsed(), ms.len());
}
