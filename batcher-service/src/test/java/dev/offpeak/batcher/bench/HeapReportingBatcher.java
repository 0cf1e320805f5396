package dev.offpeak.batcher.bench;

import dev.offpeak.batcher.config.BatcherConfig;
import dev.offpeak.batcher.BatcherService;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The batcher process as {@code BatcherMain} runs it, plus a heap report for the bench: on SIGTERM
 * it prints the peak used heap sampled from {@code MemoryMXBean} every 20 ms (live data and garbage
 * not yet collected, so it is what the heap really had to hold) and, for the live set, the peak of
 * the old generation right after a collection.
 */
public final class HeapReportingBatcher {
    public static final String MARKER = "HEAP_PEAK_BYTES=";

    private HeapReportingBatcher() {}

    public static void main(String[] args) throws InterruptedException {
        BatcherService service = BatcherService.start(BatcherConfig.fromEnv());
        AtomicLong sampledPeak = new AtomicLong();
        AtomicLong liveAfterGcPeak = new AtomicLong();
        Thread sampler = Thread.ofPlatform().daemon().name("heap-sampler").start(() -> {
            while (true) {
                long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                sampledPeak.accumulateAndGet(used, Math::max);
                long afterGc = 0;
                for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                    if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                        afterGc += pool.getCollectionUsage().getUsed();
                    }
                }
                liveAfterGcPeak.accumulateAndGet(afterGc, Math::max);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            sampler.interrupt();
            long max = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
            System.out.println(MARKER + sampledPeak.get() + " liveAfterGc=" + liveAfterGcPeak.get() + " max=" + max);
            System.out.flush();
            stopped.countDown();
        }, "batcher-shutdown"));
        stopped.await();
    }
}
