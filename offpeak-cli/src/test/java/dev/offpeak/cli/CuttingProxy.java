package dev.offpeak.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of an HTTP service that breaks its first connection after a number of bytes
 * from the client (reset, no answer), the way a load balancer or a flaky network drops an upload
 * halfway; every later connection passes through untouched.
 */
final class CuttingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress upstream;
    private final long cutAfter;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger cuts = new AtomicInteger();

    private CuttingProxy(URI upstream, long cutAfter) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.upstream = new InetSocketAddress(upstream.getHost(), upstream.getPort());
        this.cutAfter = cutAfter;
        Thread.ofPlatform().daemon().name("cutting-proxy").start(this::accept);
    }

    static CuttingProxy start(String upstreamUrl, long cutFirstConnectionAfterBytes) throws IOException {
        return new CuttingProxy(URI.create(upstreamUrl), cutFirstConnectionAfterBytes);
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Connections broken so far. */
    int cuts() {
        return cuts.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                boolean cut = connections.incrementAndGet() == 1;
                Socket service = new Socket(upstream.getAddress(), upstream.getPort());
                Thread.ofVirtual().start(() -> pump(client, service, cut ? cutAfter : Long.MAX_VALUE));
                Thread.ofVirtual().start(() -> pump(service, client, Long.MAX_VALUE));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(Socket from, Socket to, long limit) {
        byte[] buffer = new byte[8192];
        long passed = 0;
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                int allowed = (int) Math.min(n, limit - passed);
                out.write(buffer, 0, allowed);
                out.flush();
                passed += allowed;
                if (passed >= limit) {
                    cuts.incrementAndGet();
                    reset(from);
                    reset(to);
                    return;
                }
            }
        } catch (IOException e) {
            // the other direction closed the pair
        } finally {
            close(from);
            close(to);
        }
    }

    /** Closes with RST, not FIN: the peer sees the connection break, not a clean end. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
