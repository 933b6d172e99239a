//! Admission, as the API server does it before an object is stored: the `Priority`
//! plugin (`plugin/pkg/admission/priority/admission.go`), where a new pod's priority and
//! preemption policy come from its class, or from the global default class, or are 0
//! and the pod's own policy (a class that does not exist, or a priority or policy in the
//! pod spec that disagrees with the class, makes the API server refuse the pod); and
//! the names it generates for `generateName`.

use super::Ctx;
use crate::api::scheduling::PriorityClass;
use crate::cluster::PriorityClassInfo as Class;
use crate::cluster::template::PodTemplate;
use std::collections::BTreeMap;

/// The alphabet of generated name suffixes (apimachinery `util/rand.String`): no vowels,
/// no look-alike characters.
const NAME_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// `scheduling.DefaultPriorityWhenNoDefaultClassExists`.
const DEFAULT_PRIORITY: i32 = 0;

/// The classes every cluster has (`pkg/apis/scheduling/v1/helpers.go`).
pub fn builtin_classes() -> BTreeMap<String, Class> {
    [("system-cluster-critical", 2_000_000_000), ("system-node-critical", 2_000_001_000)]
        .into_iter()
        .map(|(n, value)| (n.to_string(), Class { value, never: false }))
        .collect()
}

/// What admission gives a pod: its `spec.priority` and whether it may preempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Admitted {
    pub priority: i32,
    pub preempt_never: bool,
}

fn policy_name(never: bool) -> &'static str {
    if never { "Never" } else { "PreemptLowerPriority" }
}

/// `admitPod` for a pod whose spec is `template`, given the classes and the default
/// class's name. `Err` is the reason the API server gives for refusing it.
pub fn admit(
    template: &PodTemplate,
    classes: &BTreeMap<String, Class>,
    default_class: Option<&str>,
) -> Result<Admitted, String> {
    let spec = &template.spec;
    let class = match spec.priority_class_name.as_deref().filter(|n| !n.is_empty()).or(default_class) {
        None => None,
        Some(name) => Some(*classes.get(name).ok_or_else(|| format!("no PriorityClass with name {name} was found"))?),
    };
    let priority = class.map_or(DEFAULT_PRIORITY, |c| c.value);
    if let Some(p) = spec.priority
        && p != priority
    {
        return Err(format!(
            "the integer value of priority ({p}) must not be provided in pod spec; priority admission controller computed {priority} from the given PriorityClass name"
        ));
    }
    let own = spec.preemption_policy.as_deref();
    let preempt_never = match class {
        None => own == Some("Never"),
        Some(c) => {
            let computed = policy_name(c.never);
            if let Some(p) = own
                && p != computed
            {
                return Err(format!(
                    "the string value of PreemptionPolicy ({p}) must not be provided in pod spec; priority admission controller computed {computed} from the given PriorityClass name"
                ));
            }
            c.never
        }
    };
    Ok(Admitted { priority, preempt_never })
}

impl Ctx<'_> {
    /// A PriorityClass is created (validated at load: value, reserved names, policy).
    /// The admission plugin refuses a second global default and an existing name.
    pub fn create_priority_class(&mut self, pc: &PriorityClass) {
        let name = &pc.metadata.name;
        let api = &self.cluster.api;
        let refused = if api.priority_classes.contains_key(name) {
            Some(format!("priorityclasses.scheduling.k8s.io {name:?} already exists"))
        } else if pc.global_default == Some(true)
            && let Some(current) = &api.default_priority_class
        {
            Some(format!(
                "priorityclasses.scheduling.k8s.io {name:?} is forbidden: PriorityClass {current} is already marked as default. Only one default can exist"
            ))
        } else {
            None
        };
        if let Some(message) = refused {
            self.warn_once(message);
            return;
        }
        let never = pc.preemption_policy.as_deref() == Some("Never");
        let api = &mut self.cluster.api;
        api.priority_classes.insert(name.clone(), Class { value: pc.value, never });
        if pc.global_default == Some(true) {
            api.default_priority_class = Some(name.clone());
        }
    }

    /// Admission of a new pod against the classes that exist now.
    pub fn admit_priority(&self, template: &PodTemplate) -> Result<Admitted, String> {
        let api = &self.cluster.api;
        admit(template, &api.priority_classes, api.default_priority_class.as_deref())
    }

    /// `prefix` and a random `generateName` suffix, as the API server makes one.
    pub fn generated_name(&mut self, prefix: &str) -> String {
        let rng = &mut self.cluster.api.names;
        let mut name = String::with_capacity(prefix.len() + 5);
        name.push_str(prefix);
        name.extend((0..5).map(|_| char::from(NAME_ALPHABET[rng.below(NAME_ALPHABET.len() as u64) as usize])));
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::pod::PodSpec;
    use crate::cluster::resources::ResourceNames;
    use std::sync::Arc;

    fn template(class: Option<&str>, priority: Option<i32>, policy: Option<&str>) -> PodTemplate {
        let spec = PodSpec {
            priority_class_name: class.map(String::from),
            priority,
            preemption_policy: policy.map(String::from),
            ..Default::default()
        };
        PodTemplate::compile(Arc::new(spec), &mut ResourceNames::default(), &mut Default::default(), Default::default())
    }

    #[test]
    fn admission_follows_the_priority_plugin() {
        let mut classes = builtin_classes();
        classes.insert("batch".into(), Class { value: 100, never: false });
        classes.insert("polite".into(), Class { value: 5000, never: true });
        let ok = |priority, preempt_never| Ok(Admitted { priority, preempt_never });
        assert_eq!(admit(&template(None, None, None), &classes, None), ok(0, false));
        assert_eq!(admit(&template(None, None, Some("Never")), &classes, None), ok(0, true));
        assert_eq!(admit(&template(None, None, None), &classes, Some("batch")), ok(100, false));
        assert_eq!(admit(&template(Some("polite"), None, None), &classes, Some("batch")), ok(5000, true));
        assert_eq!(
            admit(&template(Some("system-node-critical"), None, None), &classes, None),
            ok(2_000_001_000, false)
        );
        assert_eq!(admit(&template(Some("batch"), Some(100), None), &classes, None), ok(100, false));
        assert_eq!(
            admit(&template(Some("gold"), None, None), &classes, None),
            Err("no PriorityClass with name gold was found".into())
        );
        assert_eq!(
            admit(&template(Some("batch"), Some(7), None), &classes, None),
            Err("the integer value of priority (7) must not be provided in pod spec; priority admission controller computed 100 from the given PriorityClass name".into())
        );
        assert_eq!(
            admit(&template(Some("batch"), None, Some("Never")), &classes, None),
            Err("the string value of PreemptionPolicy (Never) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name".into())
        );
    }
}
