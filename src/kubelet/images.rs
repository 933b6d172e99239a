//! Image pulls (`pkg/kubelet/images`): once per image per node, by `imagePullPolicy`,
//! through the node's puller (serialised by default, `serializeImagePulls: true`),
//! failures retried with the image back-off (ErrImagePull, then ImagePullBackOff).

use super::Kubelet;
use super::backoff::IMAGE_PULL;
use crate::apiserver::Ctx;
use crate::cluster::node::{ImageState, PullWaiter};
use crate::cluster::pod::{ContainerState, Stage, WaitingReason};
use crate::cluster::template::PullPolicy;
use crate::cluster::{NodeId, PodId};
use crate::engine::rng::key_of;
use crate::engine::time::format_go_duration;
use crate::engine::{SimTime, Stream};
use crate::event::KubeletEvent;
use crate::trace::EventType;

/// The kubelet retries a failed sync after `backOffPeriod` (10 s, `pod_workers.go`); at
/// that retry an image still in back-off shows `ImagePullBackOff`.
const POD_SYNC_RETRY: u64 = 10_000;

impl Kubelet {
    /// Makes sure the container's image is on the node, then creates the container.
    pub(super) fn ensure_image(&mut self, ctx: &mut Ctx, id: PodId, c: usize) {
        let Some(pod) = ctx.cluster.pods.get(id) else { return };
        let Some(node) = pod.node else { return };
        let spec = &pod.template.containers[c];
        let (image, image_name, policy) = (spec.image_id, spec.image.clone(), spec.pull_policy);
        let present = ctx.cluster.node(node).image_present(image);
        match (policy, present) {
            (PullPolicy::Never, false) => {
                ctx.cluster.pods.get_mut(id).expect("exists").containers[c].stage = Stage::NeverPulled;
                ctx.set_container_state(id, c, ContainerState::Waiting(WaitingReason::ErrImageNeverPull));
                ctx.container_event(
                    id,
                    c,
                    EventType::Warning,
                    "ErrImageNeverPull",
                    format_args!("Container image \"{image_name}\" is not present with pull policy of Never"),
                );
                ctx.container_event(id, c, EventType::Warning, "Failed", format_args!("Error: ErrImageNeverPull"));
            }
            (PullPolicy::IfNotPresent | PullPolicy::Never, true) => {
                ctx.container_event(
                    id,
                    c,
                    EventType::Normal,
                    "Pulled",
                    ["Container image \"", &*image_name, "\" already present on machine"],
                );
                self.create_container(ctx, id, c);
            }
            (PullPolicy::Always, true) => {
                // The registry is asked again, but the layers are all here.
                ctx.container_event(
                    id,
                    c,
                    EventType::Normal,
                    "Pulling",
                    format_args!("Pulling image \"{image_name}\""),
                );
                ctx.container_event(
                    id,
                    c,
                    EventType::Normal,
                    "Pulled",
                    format_args!("Successfully pulled image \"{image_name}\" in 0s (0s including waiting)"),
                );
                self.create_container(ctx, id, c);
            }
            (_, false) => {
                ctx.container_event(
                    id,
                    c,
                    EventType::Normal,
                    "Pulling",
                    format_args!("Pulling image \"{image_name}\""),
                );
                self.join_pull(ctx, node, image, id, c);
            }
        }
    }

    /// Waits for the image's pull on the node, starting one if none is under way.
    fn join_pull(&mut self, ctx: &mut Ctx, node: NodeId, image: u32, id: PodId, c: usize) {
        let now = ctx.now;
        let pod = ctx.cluster.pods.get_mut(id).expect("caller checked");
        let status = &mut pod.containers[c];
        status.pull_tries += 1;
        let waiter = PullWaiter { pod: id, container: c, attempt: status.attempt, since: now };
        let n = ctx.cluster.node_mut(node);
        match n.images.get_mut(&image) {
            Some(ImageState::Pulling { waiters, .. }) => waiters.push(waiter),
            _ => {
                n.images.insert(image, ImageState::Pulling { waiters: vec![waiter], started: None });
                n.pull_queue.push_back(image);
                self.pump_pulls(ctx, node);
            }
        }
    }

    /// Starts queued pulls while the node's puller has room.
    fn pump_pulls(&mut self, ctx: &mut Ctx, node: NodeId) {
        let k = &self.config;
        let limit = if k.serialize_image_pulls { 1 } else { k.max_parallel_image_pulls.unwrap_or(u32::MAX) };
        while ctx.cluster.node(node).pulls_in_flight < limit {
            let Some(image) = ctx.cluster.node_mut(node).pull_queue.pop_front() else { return };
            let Some(ImageState::Pulling { waiters, started }) = ctx.cluster.node_mut(node).images.get_mut(&image)
            else {
                continue;
            };
            *started = Some(ctx.now);
            let first = waiters[0];
            let (duration, fails) = self.draw_pull(ctx, first);
            ctx.cluster.node_mut(node).pulls_in_flight += 1;
            ctx.at(duration, KubeletEvent::ImagePullDone { node, image, ok: !fails });
        }
    }

    /// How long the pull takes and whether it fails, from the behavior of the container
    /// that asked first, keyed by that container and its pull attempt.
    fn draw_pull(&self, ctx: &Ctx, w: PullWaiter) -> (u64, bool) {
        let Some(pod) = ctx.cluster.pods.get(w.pod) else { return (0, false) };
        let status = &pod.containers[w.container];
        let key = key_of(&[&pod.namespace, &pod.name, pod.container_name(w.container), "pull"])
            ^ u64::from(status.pull_tries).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut rng = self.streams.keyed(Stream::Behavior, key);
        let b = self.behavior_now(status);
        let duration = b.image_pull.sample(&mut rng);
        let fails = rng.chance(b.image_pull_fails);
        (duration, fails)
    }

    pub(super) fn image_pull_done(&mut self, ctx: &mut Ctx, node: NodeId, image: u32, ok: bool) {
        let now = ctx.now;
        let n = ctx.cluster.node_mut(node);
        n.pulls_in_flight = n.pulls_in_flight.saturating_sub(1);
        let Some(ImageState::Pulling { waiters, started }) = n.images.remove(&image) else { return };
        if ok {
            // The node reports the size the behavior of the container that asked gives.
            let size = waiters.first().and_then(|w| {
                let c = ctx.cluster.pods.get(w.pod)?.containers.get(w.container)?;
                self.behavior_now(c).image_size
            });
            ctx.cluster.image_present(node, image, size);
        }
        let pulled_in = now.since(started.unwrap_or(now));
        let name = ctx.cluster.images.name(image).clone();
        for w in waiters {
            if !waiter_is_current(ctx.cluster, w) {
                continue;
            }
            if ok {
                let waited = now.since(w.since);
                ctx.container_event(
                    w.pod,
                    w.container,
                    EventType::Normal,
                    "Pulled",
                    format_args!(
                        "Successfully pulled image \"{name}\" in {} ({} including waiting)",
                        format_go_duration(pulled_in),
                        format_go_duration(waited)
                    ),
                );
                self.create_container(ctx, w.pod, w.container);
            } else {
                self.pull_failed(ctx, w.pod, w.container, &name);
            }
        }
        if ok {
            self.retry_never_pulled(ctx, node, image);
        }
        if ctx.cluster.node(node).kubelet_up {
            self.pump_pulls(ctx, node);
        }
    }

    /// `ErrImagePull`, and the image back-off before the next try.
    fn pull_failed(&mut self, ctx: &mut Ctx, id: PodId, c: usize, image: &str) {
        let now = ctx.now;
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        let status = &mut pod.containers[c];
        IMAGE_PULL.next(&mut status.pull_backoff, now, now);
        let retry_at = now.after(status.pull_backoff.duration);
        status.stage = Stage::PullBackOff { retry_at };
        let token = status.timer.arm();
        ctx.schedule(
            now.after(POD_SYNC_RETRY).min(retry_at),
            KubeletEvent::Container { pod: id, container: c as u16, token },
        );
        ctx.set_container_state(id, c, ContainerState::Waiting(WaitingReason::ErrImagePull));
        ctx.container_event(id, c, EventType::Warning, "Failed", format_args!("Failed to pull image \"{image}\": failed to pull and unpack image \"{image}\": failed to resolve reference \"{image}\""));
        ctx.container_event(id, c, EventType::Warning, "Failed", format_args!("Error: ErrImagePull"));
        self.refresh_status(ctx, id);
    }

    /// The pod worker retries: pull again if the back-off is over, else show
    /// `ImagePullBackOff` until it is.
    pub(super) fn pull_backoff_timer(&mut self, ctx: &mut Ctx, id: PodId, c: usize, retry_at: SimTime) {
        if ctx.now >= retry_at {
            ctx.cluster.pods.get_mut(id).expect("timer fired").containers[c].stage = Stage::Pulling;
            self.ensure_image(ctx, id, c);
            return;
        }
        let Some(pod) = ctx.cluster.pods.get_mut(id) else { return };
        let token = pod.containers[c].timer.arm();
        let image = pod.template.containers[c].image.clone();
        ctx.schedule(retry_at, KubeletEvent::Container { pod: id, container: c as u16, token });
        ctx.set_container_state(id, c, ContainerState::Waiting(WaitingReason::ImagePullBackOff));
        ctx.container_event(id, c, EventType::Normal, "BackOff", format_args!("Back-off pulling image \"{image}\""));
        ctx.container_event(id, c, EventType::Warning, "Failed", format_args!("Error: ImagePullBackOff"));
    }

    /// Containers that could not start because `imagePullPolicy: Never` found no image
    /// start once another pod has pulled it.
    fn retry_never_pulled(&mut self, ctx: &mut Ctx, node: NodeId, image: u32) {
        let pods = ctx.cluster.node(node).pods.clone();
        for id in pods {
            let Some(pod) = ctx.cluster.pods.get(id) else { continue };
            let waiting: Vec<usize> = (0..pod.containers.len())
                .filter(|c| {
                    pod.containers[*c].stage == Stage::NeverPulled && pod.template.containers[*c].image_id == image
                })
                .collect();
            for c in waiting {
                ctx.cluster.pods.get_mut(id).expect("exists").containers[c].stage = Stage::Pulling;
                self.ensure_image(ctx, id, c);
            }
        }
    }
}

/// The container still waits for this pull (not restarted or stopped meanwhile).
fn waiter_is_current(cluster: &crate::cluster::Cluster, w: PullWaiter) -> bool {
    cluster.pods.get(w.pod).is_some_and(|p| {
        let s = &p.containers[w.container];
        s.stage == Stage::Pulling && s.attempt == w.attempt && p.termination.is_none()
    })
}
