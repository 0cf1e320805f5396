package dev.offpeak.testsupport;

/** Closes a resource whose close() declares Exception, for owners whose own close() must not. */
final class Shutdowns {
    private Shutdowns() {}

    static void close(AutoCloseable resource, String what) {
        try {
            resource.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while stopping " + what, e);
        } catch (Exception e) {
            throw new IllegalStateException("Could not stop " + what, e);
        }
    }
}
