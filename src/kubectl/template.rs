//! What `kubectl set image` and `kubectl rollout restart` change in a workload's pod
//! template (`set_image.go`, `objectrestarter.go`), shared by every kind they apply to.

use crate::api::pod::PodTemplateSpec;

/// The annotation `kubectl rollout restart` sets on the pod template.
pub const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";

/// `kubectl set image`: each named container (init containers included) gets its image.
pub fn set_images(template: &mut PodTemplateSpec, images: &[(String, String)]) -> Result<(), String> {
    let spec = &mut template.spec;
    for (container, image) in images {
        let c = spec
            .init_containers
            .iter_mut()
            .chain(spec.containers.iter_mut())
            .find(|c| c.name == *container)
            .ok_or_else(|| format!("unable to find container named \"{container}\""))?;
        c.image = Some(image.as_str().into());
    }
    Ok(())
}

/// `kubectl rollout restart`: the template's `restartedAt` annotation is `now` (to the
/// second); a second restart within the same second is refused.
pub fn restart(template: &mut PodTemplateSpec, now: jiff::Timestamp) -> Result<(), String> {
    let at = now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    let annotations = &mut template.metadata.annotations;
    if annotations.get(RESTARTED_AT) == Some(&at) {
        return Err("another restart was triggered within the past second, please wait and retry".into());
    }
    annotations.insert(RESTARTED_AT.into(), at);
    Ok(())
}
