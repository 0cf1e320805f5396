package dev.offpeak.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks a Docker engine for {@code GET /_ping}. Only an HTTP 200 counts: the CLI being installed, or a
 * socket file left behind by a stopped engine, must not switch the whole build to Testcontainers.
 */
public final class DockerProbe {
    static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Logger log = LoggerFactory.getLogger(DockerProbe.class);

    private DockerProbe() {}

    /** Whether DOCKER_HOST, or one of the usual local sockets when it is unset, answers a ping. */
    public static boolean anyEngineAnswers(Map<String, String> env) {
        return candidates(env).stream().anyMatch(DockerProbe::engineAnswers);
    }

    static List<String> candidates(Map<String, String> env) {
        String dockerHost = env.get("DOCKER_HOST");
        if (dockerHost != null && !dockerHost.isBlank()) {
            return List.of(dockerHost.trim());
        }
        List<String> sockets = new ArrayList<>(List.of("unix:///var/run/docker.sock"));
        Optional.ofNullable(env.get("XDG_RUNTIME_DIR")).ifPresent(dir -> sockets.add("unix://" + dir + "/docker.sock"));
        Optional.ofNullable(env.get("HOME")).ifPresent(home -> sockets.add("unix://" + home + "/.docker/run/docker.sock"));
        return sockets;
    }

    /** True only when the endpoint answers {@code /_ping} with HTTP 200 within {@link #TIMEOUT}. */
    static boolean engineAnswers(String endpoint) {
        Optional<SocketAddress> address = address(endpoint);
        if (address.isEmpty()) {
            log.debug("Docker endpoint {}: nothing to connect to", endpoint);
            return false;
        }
        ProtocolFamily family = address.get() instanceof UnixDomainSocketAddress
                ? StandardProtocolFamily.UNIX : StandardProtocolFamily.INET;
        // Channels have no read timeout: ping on a virtual thread and close the channel (which unblocks it) on timeout.
        try (SocketChannel channel = SocketChannel.open(family)) {
            FutureTask<Boolean> ping = new FutureTask<>(() -> ping(channel, address.get()));
            Thread.ofVirtual().name("docker-probe").start(ping);
            boolean answered = ping.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            log.debug("Docker endpoint {} answered: {}", endpoint, answered);
            return answered;
        } catch (IOException | ExecutionException | TimeoutException e) {
            log.debug("Docker endpoint {} does not answer: {}", endpoint, e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Optional<SocketAddress> address(String endpoint) {
        URI uri;
        try {
            uri = URI.create(endpoint);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        return switch (scheme) {
            case "unix" -> Optional.of(Path.of(uri.getPath())).filter(Files::exists).map(UnixDomainSocketAddress::of);
            case "tcp", "http" -> Optional.ofNullable(uri.getHost())
                    .map(host -> new InetSocketAddress(host, uri.getPort() < 0 ? 2375 : uri.getPort()));
            // npipe://, ssh://, tls on tcp: not worth probing here; set OFFPEAK_TEST_INFRA explicitly.
            default -> Optional.empty();
        };
    }

    private static boolean ping(SocketChannel channel, SocketAddress address) throws IOException {
        channel.connect(address);
        channel.write(ByteBuffer.wrap("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer buffer = ByteBuffer.allocate(256);
        while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
            String head = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
            if (head.contains("\r\n")) {
                return head.startsWith("HTTP/1.") && head.split(" ", 3).length >= 2 && head.split(" ", 3)[1].equals("200");
            }
        }
        return false;
    }
}
