package dev.offpeak.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fake engines on real Unix sockets: the probe must believe only an HTTP 200 to /_ping. */
class DockerProbeTest {

    @TempDir
    Path dir;

    @Test
    void missingSocketDoesNotAnswer() {
        assertThat(DockerProbe.engineAnswers("unix://" + dir.resolve("docker.sock"))).isFalse();
    }

    @Test
    void engineThatPongsAnswers() throws IOException {
        assertThat(probeAgainst("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK")).isTrue();
    }

    @Test
    void somethingElseOnTheSocketDoesNotAnswer() throws IOException {
        assertThat(probeAgainst("HTTP/1.1 404 Not Found\r\n\r\n")).isFalse();
    }

    @Test
    void silentListenerTimesOutAsNotAnswering() throws IOException {
        long started = System.nanoTime();
        assertThat(probeAgainst(null)).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(DockerProbe.TIMEOUT.plusSeconds(2));
    }

    @Test
    void dockerHostReplacesTheDefaultSockets() {
        assertThat(DockerProbe.candidates(Map.of("DOCKER_HOST", "tcp://10.0.0.1:2375", "HOME", "/root")))
                .containsExactly("tcp://10.0.0.1:2375");
        assertThat(DockerProbe.candidates(Map.of("HOME", "/root")))
                .containsExactly("unix:///var/run/docker.sock", "unix:///root/.docker/run/docker.sock");
        assertThat(DockerProbe.engineAnswers("npipe:////./pipe/docker_engine")).isFalse();
    }

    /** Serves one connection with {@code reply}, or holds it open without a word when reply is null. */
    private boolean probeAgainst(String reply) throws IOException {
        Path socket = dir.resolve("docker.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread engine = Thread.ofVirtual().start(() -> serveOnce(server, reply));
            boolean answered = DockerProbe.engineAnswers("unix://" + socket);
            engine.interrupt();
            return answered;
        }
    }

    private static void serveOnce(ServerSocketChannel server, String reply) {
        try (SocketChannel client = server.accept()) {
            client.read(ByteBuffer.allocate(1024));
            if (reply != null) {
                client.write(ByteBuffer.wrap(reply.getBytes(StandardCharsets.US_ASCII)));
            } else {
                client.read(ByteBuffer.allocate(1)); // until the probe gives up and closes
            }
        } catch (IOException ignored) {
            // the probe closing its end first is expected
        }
    }
}
