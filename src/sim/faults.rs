//! What happens to nodes (crash, recover, cordon, uncordon, drain (`drain.rs`); random
//! failure processes) and what users do (`kubectl delete`, `apply`, `patch`).

use super::Simulation;
use crate::apiserver::Ctx;
use crate::apiserver::record::ObjectRef;
use crate::cluster::NodeId;
use crate::controllers::{daemonset, deployment, statefulset};
use crate::event::ScriptEvent;
use crate::scenario::{Action, FaultAction, RolloutVerb};
use crate::trace::EventType;

impl Simulation {
    pub(super) fn fault(&mut self, index: usize, undo: bool) {
        let f = self.script.scenario.faults[index].clone();
        if f.action == FaultAction::Add {
            self.add_pool_nodes(&f.node, f.count);
            return;
        }
        let Some(node) = self.cluster.node_by_name.get(f.node.as_str()).copied() else { return };
        let action = match (f.action, undo) {
            (FaultAction::Crash, true) => FaultAction::Recover,
            (FaultAction::Cordon | FaultAction::Drain, true) => FaultAction::Uncordon,
            (a, _) => a,
        };
        if action == FaultAction::Drain {
            self.start_drain(index, node, f.timeout);
        }
        let (mut ctx, s, _) = self.ctx();
        match action {
            FaultAction::Crash => s.kubelet.crash(&mut ctx, node),
            FaultAction::Recover => s.kubelet.recover(&mut ctx, node),
            FaultAction::Cordon => ctx.cordon(node, true),
            FaultAction::Uncordon => ctx.cordon(node, false),
            FaultAction::Drain => {}
            FaultAction::Remove => {
                s.kubelet.crash(&mut ctx, node);
                ctx.remove_node(node);
            }
            FaultAction::Add => {}
        }
        if let (false, Some(d)) = (undo, f.for_) {
            self.queue.schedule(self.now.after(d), ScriptEvent::Fault { index: index as u32, undo: true }.into());
        }
    }

    pub(super) fn start_random_faults(&mut self, process: usize) {
        let p = self.script.scenario.random_faults[process].clone();
        let nodes: Vec<NodeId> =
            self.cluster.node_ids().filter(|n| p.nodes.matches(&self.cluster.node(*n).name)).collect();
        for node in nodes {
            let gap = p.time_between.sample(&mut self.script.fault_rng[process]);
            let event = ScriptEvent::RandomFault { process: process as u32, node, repair: false };
            self.queue.schedule(self.now.after(gap), event.into());
        }
    }

    /// A node of a random process fails, is repaired after a drawn time, then runs
    /// until its next failure.
    pub(super) fn random_fault(&mut self, process: usize, node: NodeId, repair: bool) {
        let p = self.script.scenario.random_faults[process].clone();
        let (mut ctx, s, script) = self.ctx();
        let rng = &mut script.fault_rng[process];
        let (next, repair_next) = if repair {
            s.kubelet.recover(&mut ctx, node);
            (p.time_between.sample(rng), false)
        } else {
            s.kubelet.crash(&mut ctx, node);
            (p.repair_time.sample(rng), true)
        };
        let event = ScriptEvent::RandomFault { process: process as u32, node, repair: repair_next };
        ctx.at(next, event);
    }

    pub(super) fn action(&mut self, i: usize) {
        let scenario = self.script.scenario.clone();
        let (mut ctx, s, _) = self.ctx();
        match &scenario.actions[i] {
            Action::Delete { kind, namespace, name, grace_seconds, .. } => match kind.as_str() {
                "Pod" => match ctx.cluster.find_pod(namespace, name) {
                    Some(id) => ctx.delete_pod(id, grace_seconds.map(|s| u64::try_from(s).unwrap_or(0) * 1000)),
                    None => {
                        let message = format!("actions[{i}]: pod {namespace}/{name} does not exist at {}", ctx.now);
                        ctx.warn_once(message)
                    }
                },
                "Node" => {
                    if let Some(node) = ctx.cluster.node_by_name.get(name.as_str()).copied()
                        && ctx.cluster.node(node).present
                    {
                        s.kubelet.crash(&mut ctx, node);
                        ctx.remove_node(node);
                    }
                }
                "Job" => match ctx.cluster.job_by_name.get(namespace, name) {
                    Some(id) => ctx.delete_job(id),
                    None => ctx.warn_once(format!("delete job/{namespace}/{name}: no such Job at {}", ctx.now)),
                },
                "CronJob" => match ctx.cluster.cronjob_by_name.get(namespace, name) {
                    Some(id) => ctx.delete_cronjob(id),
                    None => ctx.warn_once(format!("delete cronjob/{namespace}/{name}: no such CronJob at {}", ctx.now)),
                },
                "Deployment" => match ctx.cluster.deployment_by_name.get(namespace, name) {
                    Some(id) => ctx.delete_deployment(id),
                    None => ctx
                        .warn_once(format!("delete deployment/{namespace}/{name}: no such Deployment at {}", ctx.now)),
                },
                "ReplicaSet" => match ctx.cluster.replicaset_by_name.get(namespace, name) {
                    Some(id) => ctx.delete_replicaset(id),
                    None => ctx
                        .warn_once(format!("delete replicaset/{namespace}/{name}: no such ReplicaSet at {}", ctx.now)),
                },
                "DaemonSet" => match ctx.cluster.daemonset_by_name.get(namespace, name) {
                    Some(id) => ctx.delete_daemonset(id),
                    None => {
                        ctx.warn_once(format!("delete daemonset/{namespace}/{name}: no such DaemonSet at {}", ctx.now))
                    }
                },
                "StatefulSet" => match ctx.cluster.statefulset_by_name.get(namespace, name) {
                    Some(id) => ctx.delete_statefulset(id),
                    None => ctx.warn_once(format!(
                        "delete statefulset/{namespace}/{name}: no such StatefulSet at {}",
                        ctx.now
                    )),
                },
                "Service" => match ctx.cluster.service_by_name.get(namespace, name) {
                    Some(id) => ctx.delete_service(id),
                    None => ctx.warn_once(format!("delete service/{namespace}/{name}: no such Service at {}", ctx.now)),
                },
                kind => delete_storage_object(&mut ctx, kind, namespace, name),
            },
            Action::Apply { manifests, .. } => {
                for m in manifests {
                    // `kubectl apply` creates what does not exist; an existing pod is
                    // left as it is (its spec is immutable where the simulation cares).
                    if let crate::api::object::Object::Pod(p) = &m.object
                        && ctx.cluster.find_pod(p.metadata.namespace(), &p.metadata.name).is_some()
                    {
                        continue;
                    }
                    if let crate::api::object::Object::Service(svc) = &m.object
                        && ctx.cluster.service_by_name.contains(svc.metadata.namespace(), &svc.metadata.name)
                    {
                        continue;
                    }
                    // A budget's spec is not changed by apply here (its selector and
                    // policy stay as created).
                    if let crate::api::object::Object::PodDisruptionBudget(b) = &m.object
                        && ctx.cluster.budget_by_name.contains(b.metadata.namespace(), &b.metadata.name)
                    {
                        continue;
                    }
                    // An existing Deployment takes the new spec (a rollout if its
                    // template changed); an existing ReplicaSet its new size.
                    if let crate::api::object::Object::Deployment(d) = &m.object
                        && let Some(id) = ctx.cluster.deployment_by_name.get(d.metadata.namespace(), &d.metadata.name)
                    {
                        report(&mut ctx, i, |ctx| deployment::kubectl::apply(ctx, id, d));
                        continue;
                    }
                    if let crate::api::object::Object::DaemonSet(d) = &m.object
                        && let Some(id) = ctx.cluster.daemonset_by_name.get(d.metadata.namespace(), &d.metadata.name)
                    {
                        report(&mut ctx, i, |ctx| daemonset::kubectl::apply(ctx, id, d));
                        continue;
                    }
                    if let crate::api::object::Object::StatefulSet(d) = &m.object
                        && let Some(id) = ctx.cluster.statefulset_by_name.get(d.metadata.namespace(), &d.metadata.name)
                    {
                        report(&mut ctx, i, |ctx| statefulset::kubectl::apply(ctx, id, d));
                        continue;
                    }
                    if let crate::api::object::Object::ReplicaSet(r) = &m.object
                        && let Some(id) = ctx.cluster.replicaset_by_name.get(r.metadata.namespace(), &r.metadata.name)
                    {
                        ctx.scale_replicaset(id, r.spec.replicas.unwrap_or(1).max(0) as u32, &[]);
                        continue;
                    }
                    super::admission::create_object(&mut ctx, &m.object, None, None);
                }
            }
            Action::PatchBehavior { behavior, patch, .. } => s.kubelet.patch_behavior(*behavior, patch),
            Action::Patch { kind, namespace, name, set, .. } => {
                // `kubectl patch`: `spec.suspend` of Jobs and CronJobs, `spec.parallelism` of Jobs.
                let suspend = set.iter().find(|(k, _)| k == "spec.suspend").and_then(|(_, v)| v.as_bool());
                let parallelism =
                    set.iter().find(|(k, _)| k == "spec.parallelism").and_then(|(_, v)| v.as_u64()).map(|p| p as u32);
                let replicas =
                    set.iter().find(|(k, _)| k == "spec.replicas").and_then(|(_, v)| v.as_u64()).map(|p| p as u32);
                let paused = set.iter().find(|(k, _)| k == "spec.paused").and_then(|(_, v)| v.as_bool());
                match kind.as_str() {
                    "Deployment" => match ctx.cluster.deployment_by_name.get(namespace, name) {
                        Some(id) => {
                            if let Some(r) = replicas {
                                report(&mut ctx, i, |ctx| deployment::kubectl::scale(ctx, id, r));
                            }
                            if let Some(p) = paused {
                                report(&mut ctx, i, |ctx| deployment::kubectl::pause(ctx, id, p));
                            }
                        }
                        None => ctx.warn_once(format!("patch deployment/{namespace}/{name}: no such Deployment at {}", ctx.now)),
                    },
                    "StatefulSet" => match ctx.cluster.statefulset_by_name.get(namespace, name) {
                        Some(id) => {
                            if let Some(r) = replicas {
                                report(&mut ctx, i, |ctx| statefulset::kubectl::scale(ctx, id, r));
                            }
                            let partition = set
                                .iter()
                                .find(|(k, _)| k == "spec.updateStrategy.rollingUpdate.partition")
                                .and_then(|(_, v)| v.as_i64());
                            if let Some(p) = partition {
                                report(&mut ctx, i, |ctx| statefulset::kubectl::partition(ctx, id, p));
                            }
                        }
                        None => ctx.warn_once(format!("patch statefulset/{namespace}/{name}: no such StatefulSet at {}", ctx.now)),
                    },
                    "ReplicaSet" => match (ctx.cluster.replicaset_by_name.get(namespace, name), replicas) {
                        (Some(id), Some(r)) => ctx.scale_replicaset(id, r, &[]),
                        (Some(_), None) => {}
                        (None, _) => ctx.warn_once(format!("patch replicaset/{namespace}/{name}: no such ReplicaSet at {}", ctx.now)),
                    },
                    "Job" => match ctx.cluster.job_by_name.get(namespace, name) {
                        Some(id) => s.jobs.patch(&mut ctx, id, suspend, parallelism),
                        None => ctx.warn_once(format!("patch job/{namespace}/{name}: no such Job at {}", ctx.now)),
                    },
                    "CronJob" => match (ctx.cluster.cronjob_by_name.get(namespace, name), suspend) {
                        (Some(id), Some(suspend)) => s.cronjobs.set_suspend(&mut ctx, id, suspend),
                        (Some(_), None) => {}
                        (None, _) => {
                            let message = format!("patch cronjob/{namespace}/{name}: no such CronJob at {}", ctx.now);
                            ctx.warn_once(message)
                        }
                    },
                    _ => ctx.warn_once(format!(
                        "patch {kind}/{namespace}/{name}: only Jobs, CronJobs, Deployments, ReplicaSets and StatefulSets can be patched"
                    )),
                }
            }
            Action::Scale { kind, namespace, name, replicas, .. } => match kind.as_str() {
                "Deployment" => match ctx.cluster.deployment_by_name.get(namespace, name) {
                    Some(id) => report(&mut ctx, i, |ctx| deployment::kubectl::scale(ctx, id, *replicas)),
                    None => {
                        ctx.warn_once(format!("scale deployment/{namespace}/{name}: no such Deployment at {}", ctx.now))
                    }
                },
                "StatefulSet" => match ctx.cluster.statefulset_by_name.get(namespace, name) {
                    Some(id) => report(&mut ctx, i, |ctx| statefulset::kubectl::scale(ctx, id, *replicas)),
                    None => ctx
                        .warn_once(format!("scale statefulset/{namespace}/{name}: no such StatefulSet at {}", ctx.now)),
                },
                _ => match ctx.cluster.replicaset_by_name.get(namespace, name) {
                    Some(id) => ctx.scale_replicaset(id, *replicas, &[]),
                    None => {
                        ctx.warn_once(format!("scale replicaset/{namespace}/{name}: no such ReplicaSet at {}", ctx.now))
                    }
                },
            },
            Action::SetImage { kind, namespace, name, images, .. } if kind == "DaemonSet" => {
                match ctx.cluster.daemonset_by_name.get(namespace, name) {
                    Some(id) => report(&mut ctx, i, |ctx| daemonset::kubectl::set_image(ctx, id, images)),
                    None => ctx
                        .warn_once(format!("set image daemonset/{namespace}/{name}: no such DaemonSet at {}", ctx.now)),
                }
            }
            Action::Rollout { verb, kind, namespace, name, .. } if kind == "DaemonSet" => {
                match ctx.cluster.daemonset_by_name.get(namespace, name) {
                    Some(id) => {
                        let result = match verb {
                            RolloutVerb::Undo { to_revision } => daemonset::kubectl::undo(&mut ctx, id, *to_revision),
                            _ => {
                                let wall = scenario.start + jiff::SignedDuration::from_millis(ctx.now.ms() as i64);
                                daemonset::kubectl::restart(&mut ctx, id, wall)
                            }
                        };
                        report(&mut ctx, i, |_| result);
                    }
                    None => {
                        ctx.warn_once(format!("rollout daemonset/{namespace}/{name}: no such DaemonSet at {}", ctx.now))
                    }
                }
            }
            Action::SetImage { kind, namespace, name, images, .. } if kind == "StatefulSet" => {
                match ctx.cluster.statefulset_by_name.get(namespace, name) {
                    Some(id) => report(&mut ctx, i, |ctx| statefulset::kubectl::set_image(ctx, id, images)),
                    None => ctx.warn_once(format!(
                        "set image statefulset/{namespace}/{name}: no such StatefulSet at {}",
                        ctx.now
                    )),
                }
            }
            Action::Rollout { verb, kind, namespace, name, .. } if kind == "StatefulSet" => {
                match ctx.cluster.statefulset_by_name.get(namespace, name) {
                    Some(id) => {
                        let result = match verb {
                            RolloutVerb::Undo { to_revision } => statefulset::kubectl::undo(&mut ctx, id, *to_revision),
                            _ => {
                                let wall = scenario.start + jiff::SignedDuration::from_millis(ctx.now.ms() as i64);
                                statefulset::kubectl::restart(&mut ctx, id, wall)
                            }
                        };
                        report(&mut ctx, i, |_| result);
                    }
                    None => ctx.warn_once(format!(
                        "rollout statefulset/{namespace}/{name}: no such StatefulSet at {}",
                        ctx.now
                    )),
                }
            }
            Action::Taint { node, taint, .. } => match ctx.cluster.node_by_name.get(node.as_str()).copied() {
                Some(id) if ctx.cluster.node(id).present => {
                    report(&mut ctx, i, |ctx| ctx.taint_node(id, taint.clone()));
                }
                _ => ctx.warn_once(format!(
                    "actions[{i}] at {}: Error from server (NotFound): nodes \"{node}\" not found",
                    ctx.now
                )),
            },
            Action::Untaint { node, key, effect, .. } => match ctx.cluster.node_by_name.get(node.as_str()).copied() {
                Some(id) if ctx.cluster.node(id).present => {
                    report(&mut ctx, i, |ctx| ctx.untaint_node(id, key, effect.as_deref()));
                }
                _ => ctx.warn_once(format!(
                    "actions[{i}] at {}: Error from server (NotFound): nodes \"{node}\" not found",
                    ctx.now
                )),
            },
            Action::SetImage { namespace, name, images, .. } => {
                match ctx.cluster.deployment_by_name.get(namespace, name) {
                    Some(id) => report(&mut ctx, i, |ctx| deployment::kubectl::set_image(ctx, id, images)),
                    None => ctx.warn_once(format!(
                        "set image deployment/{namespace}/{name}: no such Deployment at {}",
                        ctx.now
                    )),
                }
            }
            Action::Rollout { verb, namespace, name, .. } => {
                match ctx.cluster.deployment_by_name.get(namespace, name) {
                    Some(id) => {
                        let result = match verb {
                            RolloutVerb::Undo { to_revision } => deployment::kubectl::undo(&mut ctx, id, *to_revision),
                            RolloutVerb::Restart => {
                                let wall = scenario.start + jiff::SignedDuration::from_millis(ctx.now.ms() as i64);
                                deployment::kubectl::restart(&mut ctx, id, wall)
                            }
                            RolloutVerb::Pause => deployment::kubectl::pause(&mut ctx, id, true),
                            RolloutVerb::Resume => deployment::kubectl::pause(&mut ctx, id, false),
                        };
                        report(&mut ctx, i, |_| result);
                    }
                    None => ctx
                        .warn_once(format!("rollout deployment/{namespace}/{name}: no such Deployment at {}", ctx.now)),
                }
            }
        }
    }

    /// Nodes join: copies of the pool's first node, named on after the pool's last.
    fn add_pool_nodes(&mut self, pool: &str, count: u32) {
        let scenario = self.script.scenario.clone();
        let Some(template) = scenario.pool_templates.iter().find(|n| n.pool == pool) else { return };
        let (mut ctx, _, script) = self.ctx();
        let next = script.next_node_index.entry(pool.to_string()).or_insert(0);
        for _ in 0..count {
            while ctx.cluster.node_by_name.contains_key(format!("{pool}-{next}").as_str()) {
                *next += 1;
            }
            let name = format!("{pool}-{next}");
            let mut api = template.node.clone();
            api.metadata.name = name.clone();
            api.metadata.labels.insert("kubernetes.io/hostname".into(), name.clone());
            ctx.add_node(&api, pool);
            ctx.object_event(
                ObjectRef::node(&name),
                EventType::Normal,
                "RegisteredNode",
                format_args!("Node {name} event: Registered Node {name} in Controller"),
            );
        }
    }
}

/// What kubectl would print when an action fails, as a warning of the run.
fn report(
    ctx: &mut crate::apiserver::Ctx,
    i: usize,
    kubectl: impl FnOnce(&mut crate::apiserver::Ctx) -> Result<(), String>,
) {
    if let Err(e) = kubectl(ctx) {
        let message = format!("actions[{i}] at {}: error: {e}", ctx.now);
        ctx.warn_once(message);
    }
}

/// `kubectl delete pvc|pv|storageclass|configmap|secret`: claims and PVs wait for their
/// finalizers (`Terminating`), the others leave at once.
fn delete_storage_object(ctx: &mut Ctx, kind: &str, namespace: &str, name: &str) {
    let storage = &ctx.cluster.storage;
    let (resource, at) = match kind {
        "PersistentVolumeClaim" => match storage.find_claim(namespace, name) {
            Some(id) => return ctx.delete_claim(id),
            None => ("persistentvolumeclaim", format!("{namespace}/{name}")),
        },
        "PersistentVolume" => match storage.find_volume(name) {
            Some(id) => return ctx.delete_volume(id),
            None => ("persistentvolume", name.to_string()),
        },
        "StorageClass" => match storage.find_class(name) {
            Some(id) => return ctx.delete_storage_class(id),
            None => ("storageclass", name.to_string()),
        },
        "ConfigMap" => match storage.find_config_map(namespace, name) {
            Some(id) => return ctx.delete_config_map(id),
            None => ("configmap", format!("{namespace}/{name}")),
        },
        "Secret" => match storage.find_secret(namespace, name) {
            Some(id) => return ctx.delete_secret(id),
            None => ("secret", format!("{namespace}/{name}")),
        },
        _ => return,
    };
    ctx.warn_once(format!("delete {resource}/{at}: no such {kind} at {}", ctx.now));
}
