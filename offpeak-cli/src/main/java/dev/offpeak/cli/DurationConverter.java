package dev.offpeak.cli;

import dev.offpeak.config.Durations;
import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads a duration option in the grammar every Offpeak setting uses ({@link Durations}). */
final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        return Durations.parse(value).orElseThrow(() ->
                new TypeConversionException("Invalid value " + value + ": must be " + Durations.GRAMMAR));
    }
}
