# syntax=docker/dockerfile:1
#
# One image recipe for every Offpeak JVM process. docker-compose.yml (and CI, where Docker runs)
# builds it once per process with two build arguments:
#
#   MODULE              MAIN_CLASS
#   ingest-service      dev.offpeak.ingest.IngestMain
#   batcher-service     dev.offpeak.batcher.BatcherMain
#   result-service      dev.offpeak.result.ResultMain
#   provider-emulator   dev.offpeak.emulator.EmulatorMain
#   deploy-tools        dev.offpeak.deploy.TopicSetup      (the topic set-up command)
#
#   docker build -f deploy/docker/service.Dockerfile \
#       --build-arg MODULE=result-service --build-arg MAIN_CLASS=dev.offpeak.result.ResultMain \
#       -t offpeak/result-service:dev .
#
# Build context: the repository root (see .dockerignore).

# ---- build: compile the module and everything it depends on, collect its runtime classpath ----
FROM eclipse-temurin:21-jdk AS build
ARG MODULE
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    test -n "${MODULE}" || { echo "build argument MODULE is required" >&2; exit 1; }; \
    ./mvnw -B -ntp -q -pl "${MODULE}" -am install -Dmaven.test.skip=true \
 && ./mvnw -B -ntp -q -pl "${MODULE}" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory=/out/lib \
 && cp "${MODULE}/target/${MODULE}-"*.jar /out/lib/

# ---- runtime: JRE only, no build tools, no shell tooling beyond the base image ----
FROM eclipse-temurin:21-jre
ARG MAIN_CLASS
# A fixed non-root user (uid 10001): Kubernetes' runAsNonRoot can check a numeric USER.
RUN groupadd --system --gid 10001 offpeak \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin offpeak \
 && mkdir -p /var/lib/offpeak \
 && chown 10001:10001 /var/lib/offpeak
COPY --from=build /out/lib/ /app/lib/
COPY deploy/docker/http-check.sh /usr/local/bin/http-check
ENV MAIN_CLASS=${MAIN_CLASS} \
    # The heap follows the container's memory limit (cgroup-aware JVM): 75% heap, the rest for
    # metaspace, thread stacks, direct buffers (Kafka, Jetty) and RocksDB (batcher) off-heap.
    JAVA_MEMORY_OPTS="-XX:MaxRAMPercentage=75.0 -XX:InitialRAMPercentage=25.0 -XX:+ExitOnOutOfMemoryError" \
    # Extra JVM flags for operators (GC logging, -D properties).
    JAVA_OPTS=""
WORKDIR /var/lib/offpeak
USER 10001:10001
# sh -c so MAIN_CLASS and the JVM options expand; exec so the JVM is PID 1 and gets SIGTERM.
ENTRYPOINT ["sh", "-c", "exec java $JAVA_MEMORY_OPTS $JAVA_OPTS -cp '/app/lib/*' \"$MAIN_CLASS\" \"$@\"", "offpeak"]
