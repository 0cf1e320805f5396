package dev.offpeak.result;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Forwards TCP connections from a local port to an upstream address, from the moment it is opened:
 * before that the port refuses connections, as a database that is down does.
 */
final class TcpForwarder implements AutoCloseable {
    private final int port;
    private final InetSocketAddress upstream;
    private volatile ServerSocket server;

    TcpForwarder(int port, String upstreamHost, int upstreamPort) {
        this.port = port;
        this.upstream = new InetSocketAddress(upstreamHost, upstreamPort);
    }

    /** A port nothing listens on now. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    void open() throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        server = s;
        Thread.ofPlatform().daemon().name("tcp-forwarder").start(() -> accept(s));
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket client = s.accept();
                Socket target = new Socket(upstream.getHostString(), upstream.getPort());
                pump(client.getInputStream(), target.getOutputStream(), client, target);
                pump(target.getInputStream(), client.getOutputStream(), client, target);
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void pump(InputStream in, OutputStream out, Socket a, Socket b) {
        Thread.ofPlatform().daemon().name("tcp-forwarder-pump").start(() -> {
            try (a; b) {
                in.transferTo(out);
            } catch (IOException e) {
                // one side closed: both go
            }
        });
    }

    @Override
    public void close() throws IOException {
        if (server != null) {
            server.close();
        }
    }
}
