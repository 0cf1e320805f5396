/**
 * Deployment tooling. {@link dev.offpeak.deploy.TopicSetup} is the idempotent topic set-up that
 * docker-compose's {@code topic-init} service and the Kubernetes {@code offpeak-topics} Job run:
 * {@link dev.offpeak.deploy.TopicPlan} holds the settings table (partitions, retention,
 * max.message.bytes per topic of {@code Topics.all()}), {@link dev.offpeak.deploy.TopicReconciler}
 * brings a cluster to it. The module's tests also prove that deploy/ (compose, Kubernetes, Prometheus,
 * Grafana) agrees with the services' code; see deploy/README.md.
 */
package dev.offpeak.deploy;
