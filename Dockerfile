# The podsim image: the command and nothing else, for running studies on a cluster
# (`podsim sweep --emit-k8s-job` writes the Job that uses it).
#
#   docker build -t podsim:0.1.0 .
#   docker run --rm -v "$PWD/scenarios:/study:ro" -v "$PWD/results:/results" podsim:0.1.0 \
#       sweep /study/job-stream.yaml --seeds 1..4 --keep summary --out /results/job-stream-seeds

FROM rust:1.95-slim-trixie AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
# The workspace's other member (the criterion benches): its manifest is read, not built.
COPY benches benches
COPY assets assets
COPY src src
RUN cargo build --release --locked --bin podsim

FROM debian:trixie-slim
COPY --from=build /src/target/release/podsim /usr/local/bin/podsim
# Studies write as this user: a volume mounted at /results must let it write.
RUN useradd --uid 10001 --no-create-home podsim
USER 10001
WORKDIR /results
ENTRYPOINT ["podsim"]
