package dev.offpeak.emulator;

import io.javalin.http.Context;

/** Absolute URLs handed to clients (results_url, upload URLs, file uris). */
public final class Urls {
    private Urls() {
    }

    /**
     * The configured public base URL, else the origin the client used: a client that reached the
     * emulator as {@code 127.0.0.1} must get URLs it can reach the same way.
     */
    public static String origin(Context ctx, Emulation emu) {
        String configured = emu.config().publicBaseUrl();
        if (configured != null) {
            return configured;
        }
        String host = ctx.header("Host");
        return host == null ? emu.baseUrl() : ctx.scheme() + "://" + host;
    }
}
